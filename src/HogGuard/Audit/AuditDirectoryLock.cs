using HogGuard.IO;

namespace HogGuard.Audit;

/// <summary>
/// The one-writer rule of an audit directory: an exclusive OS lock on <c>writer.lock</c>, held while
/// the log is open and released by the kernel when the process dies; the holder's pid is in <c>writer.pid</c>.
/// </summary>
internal static class AuditDirectoryLock
{
    public const string LockFile = "writer.lock";
    public const string PidFile = "writer.pid";

    /// <exception cref="AuditLogBusyException">Another process holds the directory.</exception>
    public static ExclusiveFileLock Acquire(string directory, TimeSpan wait, TimeProvider time) =>
        ExclusiveFileLock.TryAcquire(Path.Combine(directory, LockFile), Path.Combine(directory, PidFile), wait, time)
            ?? throw new AuditLogBusyException(directory, ExclusiveFileLock.Holder(Path.Combine(directory, PidFile)), wait);
}

/// <summary>Another process is writing to this audit directory; nothing was written.</summary>
public sealed class AuditLogBusyException(string directory, int? holder, TimeSpan waited)
    : IOException($"the audit log in {directory} is open for writing by {(holder is { } pid ? $"process {pid}" : "another process")} (waited {waited.TotalSeconds:0.#} s); one process writes a log directory at a time: stop the other writer, or give this one its own directory")
{
    /// <summary>The pid of the process holding the directory, when known.</summary>
    public int? Holder => holder;
}
