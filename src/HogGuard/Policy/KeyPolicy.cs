namespace HogGuard.Policy;

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

/// <summary>The <c>audit</c> and <c>posthog</c> sections: thresholds and hosts.</summary>
public sealed record AuditSettings(int UnusedDays = 30, int DueSoonDays = 14)
{
    /// <summary>Where HogGuard's own actions (revocations, later rotations) are audited (<c>audit.directory</c>); null for nowhere.</summary>
    public string? LogDirectory { get; init; }

    /// <summary>Where <c>audit ship</c> sends entries (<c>audit.host</c>), and the project token and event name it uses.</summary>
    public string? ShipHost { get; init; }

    /// <summary>Where capture lives when it is not derived from <see cref="ShipHost"/> (<c>audit.ingestion_host</c>).</summary>
    public string? ShipIngestionHost { get; init; }

    public string? ShipProjectToken { get; init; }

    public string? ShipEvent { get; init; }

    public static AuditSettings Default { get; } = new();
}

/// <summary>A webhook an app receives (<c>webhooks</c> in <c>hogguard.yml</c>) and where its signing secret lives; null when none is configured.</summary>
public sealed record WebhookPolicy(string Name, KeySource? Secret, int Line);
