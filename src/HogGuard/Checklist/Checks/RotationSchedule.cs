using HogGuard.Detection;
using HogGuard.Rotation;

namespace HogGuard.Checklist;

/// <summary>
/// Item 7: keys with a max_age_days are rotated in time: by their live ages with --verify, else by
/// HogGuard's own rotation journals.
/// </summary>
internal sealed class RotationSchedule() : SecurityCheck(7, "rotation-schedule", "Keys are rotated on schedule")
{
    protected override CheckItem Run(CheckContext c)
    {
        var scheduled = c.Config.Keys.Where(k => k.MaxAgeDays is not null).ToList();
        if (scheduled.Count == 0)
        {
            return Skip(["no key in hogguard.yml has max_age_days"]);
        }

        if (c.LiveKeys is not null)
        {
            var overdue = c.LiveKeys.Where(f => f.Rule.Id == Rules.KeyRotationOverdue.Id).ToList();
            var soon = c.LiveKeys.Where(f => f.Rule.Id == Rules.KeyRotationDueSoon.Id).ToList();
            if (overdue.Count > 0)
            {
                return Fail([.. overdue.Select(f => $"{f.Environment}: {f.Masked} {f.Detail}")], "Rotate each overdue key with the command shown.");
            }

            return soon.Count > 0
                ? Warn([.. soon.Select(f => $"{f.Environment}: {f.Masked} {f.Detail}")], "Plan these rotations before their due dates.")
                : Pass([$"{scheduled.Count} scheduled keys, none overdue (live ages)"]);
        }

        // Offline, only HogGuard's own rotation journals say when a key last changed.
        var journals = c.Config.SourcePath is { } path ? RotationJournalStore.Beside(path).List() : [];
        var now = c.Time.GetUtcNow();
        var evidence = new List<string>();
        var unknown = 0;
        var late = false;
        foreach (var policy in scheduled)
        {
            var lastDone = journals.Where(j => j.State == RotationState.Done && j.Environment == policy.Environment && j.Key == policy.Name)
                .Select(j => (DateTimeOffset?)j.History[^1].At).Max();
            if (lastDone is not { } at)
            {
                unknown++;
                continue;
            }

            var due = at.AddDays(policy.MaxAgeDays!.Value);
            late |= due < now;
            evidence.Add($"{policy.Environment}/{policy.Name}: rotated {at.UtcDateTime:yyyy-MM-dd}, due {due.UtcDateTime:yyyy-MM-dd}{(due < now ? " (overdue)" : string.Empty)}");
        }

        if (late)
        {
            return Fail(evidence, "Rotate each overdue key: hogguard keys rotate --env ENV --key NAME.");
        }

        if (unknown > 0)
        {
            evidence.Add($"{unknown} key(s) never rotated by HogGuard: their age needs PostHog (add --verify)");
            return Skip(evidence);
        }

        return Pass(evidence);
    }
}
