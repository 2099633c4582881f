namespace HogGuard.Detection;

/// <summary>One exposed secret (or one hygiene problem) with every place it was seen.</summary>
/// <param name="Rule">The rule that found it.</param>
/// <param name="Kind">What was found: a token kind's report name, <c>setting</c>, <c>env_file</c> or <c>gitignore</c>.</param>
/// <param name="Fingerprint">First 12 hex digits of the SHA-256 of the secret (or of the rule and path, for file findings).</param>
/// <param name="Masked">The secret as PostHog masks it, or the path for file findings. Never the whole secret.</param>
/// <param name="Locations">Every place it was seen, in path, line order.</param>
public sealed record Finding(Rule Rule, string Kind, string Fingerprint, string Masked, IReadOnlyList<Location> Locations)
{
    /// <summary>The rule's severity (or <see cref="SeverityOverride"/>), raised to critical for a live key that can write.</summary>
    public Severity Severity => Verification is { Status: VerificationStatus.Live, CanWrite: true } ? Severity.Critical : SeverityOverride ?? Rule.Severity;

    /// <summary>
    /// The severity this finding has instead of its rule's, decided from evidence (a committed env
    /// file that holds only public values is medium); null for the rule's.
    /// </summary>
    public Severity? SeverityOverride { get; init; }

    /// <summary>The secret itself, for verification and revocation only; it never appears in a report.</summary>
    public Keys.PostHogSecret? Secret { get; init; }

    /// <summary>The environment a key audit finding belongs to.</summary>
    public string? Environment { get; init; }

    /// <summary>What exactly is wrong, for findings that need more than the rule's title (extra scopes, due date, ...).</summary>
    public string? Detail { get; init; }

    /// <summary>Set by <c>--verify</c>.</summary>
    public Verification? Verification { get; init; }
}
