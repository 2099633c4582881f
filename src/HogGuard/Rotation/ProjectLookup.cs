using HogGuard.Keys;
using HogGuard.PostHogApi;

namespace HogGuard.Rotation;

/// <summary>Which PostHog project a <c>phs_</c> key belongs to, asked with the rotator key.</summary>
internal sealed class ProjectLookup(RotationRun run)
{
    /// <summary>
    /// The project a <c>phs_</c> key belongs to: <c>project:</c> of its environment in hogguard.yml,
    /// else the one project (of those the rotator sees) that lists a key with its mask.
    /// <c>/api/projects/@current/</c> is the user's last-used project, not the key's, so it is never used.
    /// </summary>
    public async Task<(ProjectInfo Project, List<SecretApiKeyInfo> Matches)> FindAsync(PostHogSecret old, PostHogSecret rotator, CancellationToken ct)
    {
        var c = run.C;
        if (c.Policy.Project is { } configured)
        {
            var keys = run.Require(await c.Client.ListProjectSecretKeysAsync(c.Host.App, rotator, configured, ct).ConfigureAwait(false), "the rotator key") ?? [];
            var listed = await c.Client.ListProjectsAsync(c.Host.App, rotator, ct).ConfigureAwait(false);
            var info = listed.Value?.Find(p => p.Id == configured) ?? new ProjectInfo { Id = configured };
            return (info, [.. keys.Where(k => k.MaskValue == old.Masked)]);
        }

        var projects = await c.Client.ListProjectsAsync(c.Host.App, rotator, ct).ConfigureAwait(false);
        List<ProjectInfo> candidates;
        if (projects.IsOk)
        {
            candidates = projects.Value!;
        }
        else
        {
            // A key limited to projects may not list them; the projects it is limited to are the candidates.
            var self = await c.Client.GetCurrentPersonalKeyAsync(c.Host.App, rotator, ct).ConfigureAwait(false);
            if (self.Value?.ScopedTeams is not { Count: > 0 } teams)
            {
                // Require throws for every answer but Ok, with the refusal's own message.
                _ = run.Require(projects, "the rotator key");
                throw new System.Diagnostics.UnreachableException();
            }

            candidates = [.. teams.Select(t => new ProjectInfo { Id = t })];
        }

        var found = new List<(ProjectInfo Project, List<SecretApiKeyInfo> Matches)>();
        foreach (var project in candidates)
        {
            var keys = await c.Client.ListProjectSecretKeysAsync(c.Host.App, rotator, project.Id, ct).ConfigureAwait(false);
            if (keys.Outcome is ApiOutcome.NoProjectAccess or ApiOutcome.Forbidden or ApiOutcome.NotFound)
            {
                continue;
            }

            if (run.Require(keys, "the rotator key")?.Where(k => k.MaskValue == old.Masked).ToList() is { Count: > 0 } matches)
            {
                found.Add((project, matches));
            }
        }

        var names = string.Join(", ", candidates.Select(p => p.Name is null ? $"{p.Id}" : $"{p.Id} ({p.Name})"));
        return found switch
        {
            [var one] => one,
            [] => throw new RotationException($"no project the rotator key can see ({names}) lists a project secret key {old.Masked}; if it is a project's legacy secret token, or to skip the search, set 'project: ID' under environments.{c.Policy.Environment} in hogguard.yml"),
            _ => throw new RotationException($"projects {string.Join(", ", found.Select(f => f.Project.Id))} each list a project secret key {old.Masked}; set 'project: ID' under environments.{c.Policy.Environment} in hogguard.yml"),
        };
    }
}
