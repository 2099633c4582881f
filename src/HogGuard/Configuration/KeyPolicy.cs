using HogGuard.SecretStores;

namespace HogGuard.Configuration;

/// <summary>One key an environment uses, as <c>hogguard.yml</c> describes it.</summary>
/// <param name="Scopes">The most the key may hold; null when the policy sets no limit.</param>
/// <param name="Line">Where the entry is in the configuration file, for reports.</param>
public sealed record KeyPolicy(
    string Environment,
    string Name,
    KeySource Source,
    KeyPurpose Purpose,
    IReadOnlyList<string>? Scopes,
    int? MaxAgeDays,
    bool RequireProjectScope,
    int Line,
    int Column)
{
    /// <summary>The PostHog project the environment's keys belong to (<c>environments.NAME.project</c>); null to find it by the key's mask.</summary>
    public int? Project { get; init; }
}

/// <summary>When <c>keys audit</c> calls a key unused or its rotation due soon (<c>audit.unused_days</c>, <c>audit.due_soon_days</c>).</summary>
public sealed record KeyAuditThresholds(int UnusedDays = 30, int DueSoonDays = 14)
{
    /// <summary>30 days unused, 14 days before the rotation is due.</summary>
    public static KeyAuditThresholds Default { get; } = new();
}

/// <summary>Where HogGuard's own actions are audited and where <c>audit ship</c> sends them (the rest of the <c>audit</c> section).</summary>
public sealed record AuditLogSettings
{
    /// <summary>The audit directory (<c>audit.directory</c>), absolute; null for no local log.</summary>
    public string? Directory { get; init; }

    /// <summary>The PostHog app host entries ship to (<c>audit.host</c>).</summary>
    public string? ShipHost { get; init; }

    /// <summary>Where capture lives when it is not derived from <see cref="ShipHost"/> (<c>audit.ingestion_host</c>).</summary>
    public string? ShipIngestionHost { get; init; }

    /// <summary>The project token entries are captured with (<c>audit.project_token</c>).</summary>
    public string? ShipProjectToken { get; init; }

    /// <summary>The event name (<c>audit.event</c>).</summary>
    public string? ShipEvent { get; init; }

    /// <summary>The project the entries ship to, for <c>audit verify --against-posthog</c> (<c>audit.project_id</c>).</summary>
    public int? ProjectId { get; init; }

    /// <summary>Where the personal key with <c>query:read</c> for <c>audit verify --against-posthog</c> lives (<c>audit.query_key</c>, e.g. <c>env:NAME</c>).</summary>
    public KeySource? QueryKey { get; init; }

    /// <summary>No audit directory and no shipping.</summary>
    public static AuditLogSettings Default { get; } = new();
}

/// <summary>A webhook an app receives (<c>webhooks</c> in <c>hogguard.yml</c>) and where its signing secret lives; null when none is configured.</summary>
public sealed record WebhookPolicy(string Name, KeySource? Secret, int Line);
