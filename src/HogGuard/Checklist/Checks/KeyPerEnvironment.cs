using HogGuard.Configuration;
using HogGuard.Detection;
using HogGuard.Keys;

namespace HogGuard.Checklist;

/// <summary>Item 3: no key (by fingerprint) serves two environments.</summary>
internal sealed class KeyPerEnvironment() : SecurityCheck(3, "key-per-environment", "A different key per environment")
{
    protected override CheckItem Run(CheckContext c)
    {
        var environments = c.Config.Keys.Select(k => k.Environment).Distinct().ToList();
        if (environments.Count < 2)
        {
            return Skip([$"hogguard.yml names {environments.Count} environment(s); nothing to compare"]);
        }

        var seen = new List<(KeyPolicy Policy, PostHogSecret Secret)>();
        var unreadable = new List<string>();
        foreach (var policy in c.Config.Keys.Where(k => k.Purpose != KeyPurpose.Capture))
        {
            var (value, problem) = c.Reader.Read(policy.Source);
            if (value is null)
            {
                unreadable.Add($"{policy.Environment}/{policy.Name}: {problem}");
            }
            else
            {
                seen.Add((policy, new PostHogSecret(value)));
            }
        }

        var shared = seen.GroupBy(s => s.Secret.Fingerprint).Where(g => g.Select(s => s.Policy.Environment).Distinct().Count() > 1).ToList();
        if (shared.Count > 0)
        {
            return new(3, "key-per-environment", Title, CheckStatus.Fail,
                [.. shared.Select(g => $"{g.First().Secret.Masked} serves {string.Join(", ", g.Select(s => $"{s.Policy.Environment}/{s.Policy.Name}"))}")],
                Rules.KeySharedAcrossEnvironments.Fix);
        }

        return unreadable.Count > 0
            ? Warn([$"{seen.Count} keys compared, all distinct", .. unreadable.Select(u => "not read: " + u)], "Make every key's source readable where the check runs (or run it where they are).")
            : Pass([$"{seen.Count} secret keys in {environments.Count} environments, all distinct"]);
    }
}
