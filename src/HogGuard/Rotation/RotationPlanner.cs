using HogGuard.Keys;

namespace HogGuard.Rotation;

/// <summary>
/// Started → requested: reads what kind of key the store holds and what PostHog knows of it, and picks
/// the method that can replace it. Everything is checked before PostHog is asked to change anything,
/// so a refused start leaves nothing behind.
/// </summary>
internal sealed class RotationPlanner(RotationRun run)
{
    private readonly RotationRun _run = run;

    /// <summary>Started → requested: what kind of key, its PostHog id and scopes.</summary>
    public async Task<RotationJournal?> PlanAsync(RotationJournal j, CancellationToken ct)
    {
        var c = _run.C;
        var old = _run.ExpectCurrent(j, j.OldFingerprint);
        switch (old.Kind)
        {
            case PostHogTokenKind.PersonalApiKey:
                var info = _run.Require(await c.Client.GetCurrentPersonalKeyAsync(c.Host.App, old, ct).ConfigureAwait(false), "the current key");
                if (c.Policy.Scopes is not { Count: > 0 } scopes)
                {
                    throw new RotationException($"{c.Policy.Environment}/{c.Policy.Name} has no 'scopes' in hogguard.yml; a new personal key must be created with exact scopes, so list them there first");
                }

                var date = c.Time.GetUtcNow().ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
                var label = $"{c.Policy.Environment} {c.Policy.Name} {date}";
                return await _run.RecordAsync(
                    j with { Method = RotationMethod.GuidedPersonalKey, OldKeyId = info.Id, Scopes = [.. scopes], ScopedTeams = info.ScopedTeams, Label = label.Length > 40 ? label[..40] : label },
                    RotationState.Requested,
                    ct).ConfigureAwait(false);

            case PostHogTokenKind.ProjectSecretApiKey:
                var rotator = c.Rotator ?? throw new RotationException("rotating a phs_ key needs a rotator personal key with project:write: set 'rotation: { rotator: SOURCE }' in hogguard.yml");

                // Known before anything is asked of PostHog, so a refused start leaves nothing behind.
                var self = _run.Require(await c.Client.GetCurrentPersonalKeyAsync(c.Host.App, rotator, ct).ConfigureAwait(false), "the rotator key");
                if (self.Scopes.Count > 0 && !ScopeSet.Of(self.Scopes).Allows("project:write"))
                {
                    throw new RotationException($"the rotator key lacks the scope 'project:write' (it holds {string.Join(", ", self.Scopes)}); give it that scope in PostHog");
                }

                var (project, matches) = await new ProjectLookup(_run).FindAsync(old, rotator, ct).ConfigureAwait(false);
                await _run.RequireValidAsync(old, "the current key", ct, project.ApiToken).ConfigureAwait(false);
                if (matches.Count > 1)
                {
                    throw new RotationException($"{matches.Count} project secret keys share the mask {old.Masked}; HogGuard cannot tell which is {c.Policy.Name}. Rotate it by hand in PostHog");
                }

                return await _run.RecordAsync(
                    matches is [var match]
                        ? j with { Method = RotationMethod.CreateSecretKey, ProjectId = project.Id, ProjectToken = project.ApiToken, OldKeyId = match.Id, Scopes = match.Scopes }
                        : j with { Method = RotationMethod.RotateSecretToken, ProjectId = project.Id, ProjectToken = project.ApiToken },
                    RotationState.Requested,
                    ct).ConfigureAwait(false);

            default:
                throw new RotationException($"{c.Store.Description} holds a {old.Kind?.ToString() ?? "non-PostHog"} value; HogGuard rotates phs_ project secret keys, the legacy secret token and phx_ personal keys");
        }
    }
}
