namespace HogGuard.Audit;

/// <summary>How durable a write is before <see cref="IAuditLog.WriteAsync"/> completes.</summary>
public enum AuditDurability
{
    /// <summary>fsync: the entry survives a power cut (default).</summary>
    Fsync,

    /// <summary>Flushed to the operating system only: survives a process crash, not a power cut.</summary>
    FlushOnly,
}

/// <summary>Where and how the audit log writes.</summary>
public sealed class AuditLogOptions
{
    /// <summary>The log directory; created (owner-only) when missing.</summary>
    public required string Directory { get; init; }

    /// <summary>When an entry counts as written (default: fsync before acknowledging).</summary>
    public AuditDurability Durability { get; init; } = AuditDurability.Fsync;

    /// <summary>A segment rolls when it would grow past this (default 64 MiB), and at each new UTC day.</summary>
    public long MaxSegmentBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>Signs checkpoints (HMAC-SHA256) so a deleted segment or cut tail cannot be covered up; optional.</summary>
    public byte[]? CheckpointKey { get; init; }

    /// <summary>Metadata keys whose values are always replaced by <c>[redacted]</c>.</summary>
    public IReadOnlyCollection<string> RedactKeys { get; init; } = [];

    /// <summary>
    /// A fixed wait for more writers to share one fsync. The default, zero, waits adaptively instead:
    /// until as many entries are queued as the last batch held, at most 1 ms, and never for a lone writer.
    /// </summary>
    public TimeSpan GroupCommitDelay { get; init; } = TimeSpan.Zero;

    /// <summary>
    /// How long opening waits for another process that has the directory open for writing (default
    /// 5 s) before failing with <see cref="AuditLogBusyException"/> naming it; zero fails at once.
    /// One process writes a directory at a time.
    /// </summary>
    public TimeSpan LockWait { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The clock for lock waits and for naming a torn line set aside at start (default: the system clock).</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;
}

/// <summary>The audit log: <see cref="WriteAsync"/> completes only once the entry is durable.</summary>
public interface IAuditLog
{
    /// <summary>Appends an entry; completes when it is durable, or throws (disk full, read-only): never drops it silently.</summary>
    Task<StoredAuditEntry> WriteAsync(AuditEntry entry, CancellationToken cancellationToken = default);
}
