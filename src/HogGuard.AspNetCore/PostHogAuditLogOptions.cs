using HogGuard.Audit;

namespace HogGuard.AspNetCore;

/// <summary>The audit log's settings for dependency injection, bound and validated at start-up.</summary>
public sealed class PostHogAuditLogOptions
{
    /// <summary>The log directory (required).</summary>
    public string? Directory { get; set; }

    /// <summary>When an entry counts as written (default: fsync before acknowledging).</summary>
    public AuditDurability Durability { get; set; } = AuditDurability.Fsync;

    /// <summary>Roll segments at this size (default 64 MiB).</summary>
    public long MaxSegmentBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>Checkpoint HMAC key, base64 (optional).</summary>
    public string? CheckpointKey { get; set; }

    /// <summary>Metadata keys always redacted.</summary>
    public List<string> RedactKeys { get; } = [];

    /// <summary>Also write each entry to <c>ILogger</c> (category HogGuard.Audit) once it is durable.</summary>
    public bool MirrorToLogger { get; set; }
}
