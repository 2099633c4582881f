using HogGuard.Detection;

namespace HogGuard.Audit;

/// <summary>The audit entries a revocation leaves: one per attempt, masked and fingerprinted, with what PostHog did.</summary>
public static class RevocationAudit
{
    /// <summary>Action of the entries: <c>key.revoke</c>.</summary>
    public const string Action = "key.revoke";

    /// <summary>An entry for every finding that went to PostHog's revocation endpoint (success when PostHog knew the key).</summary>
    public static IEnumerable<AuditEntry> EntriesFor(IEnumerable<Finding> findings, DateTimeOffset at, string userId)
    {
        ArgumentNullException.ThrowIfNull(findings);
        foreach (var finding in findings)
        {
            if (finding.Verification?.Revocation is not { } r)
            {
                continue;
            }

            yield return new AuditEntry(at, Action, userId, $"{finding.Masked} (sha256:{finding.Fingerprint})", r.Found ? AuditOutcome.Success : AuditOutcome.Failure)
            {
                Metadata = new Dictionary<string, string?> { ["host"] = r.Host, ["type"] = r.Type, ["kind"] = finding.Kind, ["effect"] = r.Effect, ["detail"] = r.Detail },
            };
        }
    }
}
