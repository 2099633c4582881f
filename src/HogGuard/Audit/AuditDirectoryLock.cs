using System.Globalization;

namespace HogGuard.Audit;

/// <summary>
/// The one-writer rule of an audit directory: an exclusive OS lock (<c>flock</c> on Unix, a sharing
/// lock on Windows) on <c>writer.lock</c>, held while the log is open and released by the kernel when
/// the process dies, so a crash never leaves the directory locked. The holder's pid is written to
/// <c>writer.pid</c> (unlocked) so a refused writer can name it.
/// </summary>
internal sealed class AuditDirectoryLock : IDisposable
{
    public const string LockFile = "writer.lock";
    public const string PidFile = "writer.pid";

    private readonly FileStream _lock;

    private AuditDirectoryLock(FileStream handle) => _lock = handle;

    /// <summary>Takes the lock, waiting up to <paramref name="wait"/> for another writer to close.</summary>
    /// <exception cref="AuditLogBusyException">Another process holds the directory.</exception>
    public static AuditDirectoryLock Acquire(string directory, TimeSpan wait, TimeProvider time)
    {
        var path = Path.Combine(directory, LockFile);
        var until = time.GetUtcNow() + wait;
        while (true)
        {
            try
            {
                var options = new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.ReadWrite, Share = FileShare.None };
                if (!OperatingSystem.IsWindows())
                {
                    options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
                }

                var handle = new FileStream(path, options);
                try
                {
                    File.WriteAllText(Path.Combine(directory, PidFile), Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n");
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // The pid only improves another writer's message; the lock is what counts.
                }

                return new AuditDirectoryLock(handle);
            }
            catch (IOException) when (File.Exists(path))
            {
                if (time.GetUtcNow() >= until)
                {
                    throw new AuditLogBusyException(directory, Holder(directory), wait);
                }

                Thread.Sleep(50);
            }
        }
    }

    public void Dispose() => _lock.Dispose();

    private static int? Holder(string directory)
    {
        try
        {
            return int.TryParse(File.ReadAllText(Path.Combine(directory, PidFile)).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}

/// <summary>Another process is writing to this audit directory; nothing was written.</summary>
public sealed class AuditLogBusyException(string directory, int? holder, TimeSpan waited)
    : IOException($"the audit log in {directory} is open for writing by {(holder is { } pid ? $"process {pid}" : "another process")} (waited {waited.TotalSeconds:0.#} s); one process writes a log directory at a time: stop the other writer, or give this one its own directory")
{
    /// <summary>The pid of the process holding the directory, when known.</summary>
    public int? Holder => holder;
}
