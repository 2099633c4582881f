namespace HogGuard.Audit;

/// <summary>Whether the audited action worked.</summary>
public enum AuditOutcome
{
    Success,
    Failure,
}

/// <summary>What happened: who did what to which resource, and how it went.</summary>
public sealed record AuditEntry(DateTimeOffset Timestamp, string Action, string UserId, string Resource, AuditOutcome Result)
{
    /// <summary>
    /// Why PostHog's capture would refuse this entry as an event, or null: it is shipped with
    /// <see cref="UserId"/> as <c>distinct_id</c>, and one event without a distinct id makes capture
    /// refuse the whole batch (<c>rust/capture/src/api.rs</c>).
    /// </summary>
    public string? CaptureProblem =>
        string.IsNullOrWhiteSpace(UserId) ? "it has no user id, which PostHog needs as the event's distinct_id; use a service name such as 'system' for automated actions"
        : string.IsNullOrWhiteSpace(Action) ? "it has no action"
        : null;

    /// <summary>Extra facts. Values that are PostHog secrets are masked before anything is written.</summary>
    public IReadOnlyDictionary<string, string?> Metadata { get; init; } = new Dictionary<string, string?>();
}

/// <summary>An entry as the log stored it: with its time-ordered uuid, sequence number and place in the hash chain.</summary>
public sealed record StoredAuditEntry(AuditEntry Entry, Guid Uuid, long Sequence, string PreviousHash, string Hash);
