using HogGuard.Detection;

namespace HogGuard.Checklist;

/// <summary>Item 1: no PostHog secret in the working tree, as the scanner finds them.</summary>
internal sealed class NoSecretsInCode() : SecurityCheck(1, "keys-not-in-code", "Keys live in environment variables, not in code")
{
    private static readonly HashSet<string> SecretRules =
        [Rules.PersonalApiKey.Id, Rules.ProjectSecretApiKey.Id, Rules.OAuthAccessToken.Id, Rules.OAuthRefreshToken.Id, Rules.SettingLiteral.Id];

    protected override CheckItem Run(CheckContext c)
    {
        var secrets = c.Scan.Findings.Where(f => SecretRules.Contains(f.Rule.Id)).ToList();
        if (secrets.Count == 0)
        {
            return Pass([$"{c.Scan.Statistics.Files} files scanned, no PostHog secret found"]);
        }

        var evidence = secrets.Take(10).Select(f => $"{f.Locations[0].Path}:{f.Locations[0].Line} {f.Rule.Id} {f.Masked}").ToList();
        if (secrets.Count > 10)
        {
            evidence.Add($"... and {secrets.Count - 10} more ('hogguard scan' lists them all)");
        }

        return Fail(evidence, "Move each key into an environment variable or secret store, remove it from the code, and rotate it (hogguard scan --verify --revoke; hogguard keys rotate).");
    }
}
