using HogGuard.Configuration;
using HogGuard.Detection;
using HogGuard.Keys;

namespace HogGuard.Checklist;

/// <summary>Item 4: reader and writer policies list minimal scopes; with live keys, none holds more.</summary>
internal sealed class MinimalScopes() : SecurityCheck(4, "minimal-scopes", "Each environment's keys hold only the scopes it needs")
{
    private static readonly HashSet<string> ScopeRules =
        [Rules.KeyWildcardScope.Id, Rules.KeyExcessScopes.Id, Rules.KeyReaderWriterShared.Id, Rules.KeyNotProjectScoped.Id];

    protected override CheckItem Run(CheckContext c)
    {
        var personal = c.Config.Keys.Where(k => k.Purpose is KeyPurpose.Reader or KeyPurpose.Writer).ToList();
        if (personal.Count == 0)
        {
            return Skip(["hogguard.yml names no reader or writer keys"]);
        }

        var problems = new List<string>();
        var warnings = new List<string>();
        foreach (var policy in personal)
        {
            var where = $"{policy.Environment}/{policy.Name}";
            if (policy.Scopes is null)
            {
                warnings.Add($"{where}: the policy sets no scopes, so any scope passes");
            }
            else if (ScopeSet.Of(policy.Scopes).IsWildcard)
            {
                problems.Add($"{where}: the policy allows every scope (*)");
            }
            else if (policy.Purpose == KeyPurpose.Reader && ScopeSet.Of(policy.Scopes).FirstWrite is { } write)
            {
                problems.Add($"{where}: a reader whose policy allows {write}");
            }
        }

        if (c.LiveKeys is not null)
        {
            foreach (var finding in c.LiveKeys.Where(f => ScopeRules.Contains(f.Rule.Id)))
            {
                problems.Add($"{finding.Environment}: {finding.Rule.Id} {finding.Masked}{(finding.Detail is null ? string.Empty : " (" + finding.Detail + ")")}");
            }
        }

        var scope = c.LiveKeys is null ? "policy only; add --verify to check the live keys" : "policy and live keys";
        if (problems.Count > 0)
        {
            return Fail([.. problems, .. warnings, scope], "Give each key only its purpose's scopes (a reader only :read) in PostHog and in hogguard.yml; separate reader and writer keys.");
        }

        return warnings.Count > 0
            ? Warn([.. warnings, scope], "List the scopes each reader and writer key may hold in hogguard.yml.")
            : Pass([$"{personal.Count} reader/writer keys with explicit, minimal scopes ({scope})"]);
    }
}
