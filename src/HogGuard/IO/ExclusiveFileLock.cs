using System.Globalization;

namespace HogGuard.IO;

/// <summary>
/// An exclusive OS lock on a file (<c>flock</c> on Unix, a sharing lock on Windows), held while this
/// object lives and released by the kernel when the process dies, so a crash never leaves it held.
/// The holder's pid goes to a separate, unlocked file so a refused process can name it.
/// </summary>
internal sealed class ExclusiveFileLock : IDisposable
{
    private readonly FileStream _handle;

    private ExclusiveFileLock(FileStream handle) => _handle = handle;

    /// <summary>Takes the lock at <paramref name="lockPath"/>, waiting up to <paramref name="wait"/>; null when another process still holds it.</summary>
    public static ExclusiveFileLock? TryAcquire(string lockPath, string pidPath, TimeSpan wait, TimeProvider time)
    {
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

                var handle = new FileStream(lockPath, options);
                try
                {
                    var pid = System.Text.Encoding.ASCII.GetBytes(Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n");
                    AtomicFile.Write(pidPath, s => s.Write(pid), UnixFileMode.UserRead | UnixFileMode.UserWrite);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // The pid only improves another process's message; the lock is what counts.
                }

                return new ExclusiveFileLock(handle);
            }
            catch (IOException) when (File.Exists(lockPath))
            {
                if (time.GetUtcNow() >= until)
                {
                    return null;
                }

#pragma warning disable RS0030 // A synchronous open (a constructor) polls the lock; the wait is bounded by the caller's LockWait.
                Thread.Sleep(50);
#pragma warning restore RS0030
            }
        }
    }

    /// <summary>The pid recorded by the last holder, when readable.</summary>
    public static int? Holder(string pidPath)
    {
        try
        {
            return int.TryParse(File.ReadAllText(pidPath).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    public void Dispose() => _handle.Dispose();
}
