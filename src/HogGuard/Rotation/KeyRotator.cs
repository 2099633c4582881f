using HogGuard.Audit;
using HogGuard.Keys;
using HogGuard.PostHogApi;
using HogGuard.IO;
using HogGuard.SecretStores;
using HogGuard.Configuration;

namespace HogGuard.Rotation;

/// <summary>What a rotation needs from a person: guidance for personal keys and environment variables.</summary>
public interface IRotationPrompt
{
    /// <summary>Shows a line of guidance (never a secret).</summary>
    void Say(string text);

    /// <summary>Reads a secret without echo; null when there is none (end of input).</summary>
    string? ReadSecret(string question);

    /// <summary>Asks a yes/no question; false when there is no answer.</summary>
    bool Confirm(string question);
}

/// <summary>Everything a rotation runs against.</summary>
public sealed record RotationContext(
    PostHogClient Client,
    PostHogHost Host,
    ISecretStore Store,
    KeyPolicy Policy,
    RotationJournalStore Journals,
    IRotationPrompt Prompt)
{
    /// <summary>A personal key with <c>project:write</c>, for project secret keys and the legacy token.</summary>
    public PostHogSecret? Rotator { get; init; }

    /// <summary>Where state changes are audited; null for nowhere.</summary>
    public IAuditLog? Audit { get; init; }

    /// <summary>For a personal key: poll until the person has deleted the old key, at most this long.</summary>
    public TimeSpan? WaitForDeletion { get; init; }

    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The fault-injection hook (<c>HOGGUARD_FAULT_AT</c>): called with a state's name right after it is
    /// journaled, and with <c>created</c>, <c>rolled</c> or <c>rotated</c> right after PostHog has
    /// answered with a new value and before it reaches the store.
    /// </summary>
    internal Action<string>? FaultPoint { get; init; }

    public TimeProvider Time { get; init; } = TimeProvider.System;
}

/// <summary>A rotation stopped with a message naming the problem and the fix; the old key is still current unless it says otherwise.</summary>
public sealed class RotationException(string message) : Exception(message);

/// <summary>
/// The journaled rotation state machine: started → requested → obtained → verified → promoted →
/// revoked → done. Each step reads the store and the journal afresh, so any step can be re-run
/// after a crash; at every instant the store holds a key PostHog accepts and the journal says which.
/// </summary>
public sealed class KeyRotator(RotationContext context)
{
    private readonly RotationContext _c = context ?? throw new ArgumentNullException(nameof(context));

    /// <summary>How long a run waits for another rotation of the same store key to finish (default 0: fail at once).</summary>
    public TimeSpan LockWait { get; init; } = TimeSpan.Zero;

    /// <summary>Starts a rotation of the policy's key: journals it, then runs it.</summary>
    public async Task<RotationJournal> StartAsync(CancellationToken cancellationToken = default)
    {
        using var held = Lock();
        var open = _c.Journals.List().FirstOrDefault(j => !j.IsFinished && j.Environment == _c.Policy.Environment && j.Key == _c.Policy.Name);
        if (open is not null)
        {
            throw new RotationException($"rotation {open.Id} of {_c.Policy.Environment}/{_c.Policy.Name} is unfinished ({Name(open.State)}); continue it with --resume {open.Id} or roll it back with --abort {open.Id}");
        }

        var slots = _c.Store.Read();
        if (slots.Current is not { } current)
        {
            throw new RotationException($"{_c.Store.Description} holds no key to rotate; set it first");
        }

        if (slots.Next is not null)
        {
            throw new RotationException($"{_c.Store.Description} already has a {SecretStoreFactory.NextSuffix} key from an unfinished rotation; remove it or resume that rotation");
        }

        var old = new PostHogSecret(current);
        var now = _c.Time.GetUtcNow();
        var id = RotationJournal.NewId(now);
        var journal = new RotationJournal
        {
            Id = id,
            Environment = _c.Policy.Environment,
            Key = _c.Policy.Name,
            Source = _c.Store.Description,
            OldFingerprint = old.Fingerprint,
            OldMask = old.Masked,
            Label = $"hogguard {id}",
        };
        journal = await RecordAsync(journal, RotationState.Started, cancellationToken).ConfigureAwait(false);
        return await RunUnlockedAsync(journal, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Continues a rotation from its journal.</summary>
    public async Task<RotationJournal> RunAsync(RotationJournal journal, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(journal);
        using var held = Lock();

        // Read again under the lock: another run may have moved it on meanwhile.
        return await RunUnlockedAsync(_c.Journals.Load(journal.Id), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The store key's exclusive lock for this run; a second rotation of the same key is refused at once.</summary>
    private IDisposable Lock() =>
        _c.Journals.TryLock(_c.Store.Description, LockWait, out var holder)
            ?? throw new RotationException($"another rotation of {_c.Store.Description} is running ({(holder is { } pid ? $"process {pid}" : "another process")}); wait for it to end, then check 'hogguard keys rotations'");

    private async Task<RotationJournal> RunUnlockedAsync(RotationJournal journal, CancellationToken cancellationToken)
    {
        try
        {
            while (!journal.IsFinished)
            {
                var next = await StepAsync(journal, cancellationToken).ConfigureAwait(false);
                if (next is null)
                {
                    return journal;
                }

                journal = next;
            }

            return journal;
        }
        catch (RotationException e)
        {
            if (journal.State == RotationState.Started)
            {
                // Refused before PostHog was asked for anything (wrong scopes, unknown project, ...):
                // nothing to resume or roll back, so no journal is left behind.
                _c.Journals.Delete(journal.Id);
            }
            else
            {
                _c.Journals.Save(journal with { Problem = e.Message });
            }

            await AuditAsync(journal, "key.rotate.stopped", AuditOutcome.Failure, e.Message, cancellationToken).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>One step; null when the rotation waits for a person (the journal says what for).</summary>
    private Task<RotationJournal?> StepAsync(RotationJournal j, CancellationToken ct) => j.State switch
    {
        RotationState.Started => InspectAsync(j, ct),
        RotationState.Requested => ObtainAsync(j, ct),
        RotationState.Obtained => VerifyAsync(j, ct),
        RotationState.Verified => PromoteAsync(j, ct),
        RotationState.Promoted => RevokeAsync(j, ct),
        RotationState.Revoked => FinishAsync(j, ct),
        _ => Task.FromResult<RotationJournal?>(null),
    };

    /// <summary>Started → requested: what kind of key, its PostHog id and scopes.</summary>
    private async Task<RotationJournal?> InspectAsync(RotationJournal j, CancellationToken ct)
    {
        var old = ExpectCurrent(j, j.OldFingerprint);
        switch (old.Kind)
        {
            case PostHogTokenKind.PersonalApiKey:
                var info = Require(await _c.Client.GetCurrentPersonalKeyAsync(_c.Host.App, old, ct).ConfigureAwait(false), "the current key");
                if (_c.Policy.Scopes is not { Count: > 0 } scopes)
                {
                    throw new RotationException($"{_c.Policy.Environment}/{_c.Policy.Name} has no 'scopes' in hogguard.yml; a new personal key must be created with exact scopes, so list them there first");
                }

                var date = _c.Time.GetUtcNow().ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
                var label = $"{_c.Policy.Environment} {_c.Policy.Name} {date}";
                return await RecordAsync(
                    j with { Method = RotationMethod.GuidedPersonalKey, OldKeyId = info.Id, Scopes = [.. scopes], ScopedTeams = info.ScopedTeams, Label = label.Length > 40 ? label[..40] : label },
                    RotationState.Requested,
                    ct).ConfigureAwait(false);

            case PostHogTokenKind.ProjectSecretApiKey:
                var rotator = _c.Rotator ?? throw new RotationException("rotating a phs_ key needs a rotator personal key with project:write: set 'rotation: { rotator: SOURCE }' in hogguard.yml");

                // Known before anything is asked of PostHog, so a refused start leaves nothing behind.
                var self = Require(await _c.Client.GetCurrentPersonalKeyAsync(_c.Host.App, rotator, ct).ConfigureAwait(false), "the rotator key");
                if (self.Scopes.Count > 0 && !ScopeSet.Of(self.Scopes).Allows("project:write"))
                {
                    throw new RotationException($"the rotator key lacks the scope 'project:write' (it holds {string.Join(", ", self.Scopes)}); give it that scope in PostHog");
                }

                var (project, matches) = await FindProjectAsync(old, rotator, ct).ConfigureAwait(false);
                await RequireValidAsync(old, "the current key", ct, project.ApiToken).ConfigureAwait(false);
                if (matches.Count > 1)
                {
                    throw new RotationException($"{matches.Count} project secret keys share the mask {old.Masked}; HogGuard cannot tell which is {_c.Policy.Name}. Rotate it by hand in PostHog");
                }

                return await RecordAsync(
                    matches is [var match]
                        ? j with { Method = RotationMethod.CreateSecretKey, ProjectId = project.Id, ProjectToken = project.ApiToken, OldKeyId = match.Id, Scopes = match.Scopes }
                        : j with { Method = RotationMethod.RotateSecretToken, ProjectId = project.Id, ProjectToken = project.ApiToken },
                    RotationState.Requested,
                    ct).ConfigureAwait(false);

            default:
                throw new RotationException($"{_c.Store.Description} holds a {old.Kind?.ToString() ?? "non-PostHog"} value; HogGuard rotates phs_ project secret keys, the legacy secret token and phx_ personal keys");
        }
    }

    /// <summary>Requested → obtained: the new key, written to the store before anything depends on it.</summary>
    private async Task<RotationJournal?> ObtainAsync(RotationJournal j, CancellationToken ct)
    {
        var slots = _c.Store.Read();
        if (j.Method == RotationMethod.RollSecretKey)
        {
            return await RollAsync(j, slots, ct).ConfigureAwait(false);
        }

        ExpectCurrent(j, j.OldFingerprint, slots);
        var rotator = _c.Rotator;
        switch (j.Method)
        {
            case RotationMethod.CreateSecretKey:
                var keys = Require(await _c.Client.ListProjectSecretKeysAsync(_c.Host.App, rotator!, j.ProjectId!.Value, ct).ConfigureAwait(false), "the rotator key") ?? [];
                var ours = keys.Where(k => k.Label == j.Label).ToList();
                if (slots.Next is { } pending && ours.Find(k => k.MaskValue == new PostHogSecret(pending).Masked) is { } adopted)
                {
                    // A crash after the store write but before the journal: adopt the key we made.
                    return await ObtainedAsync(j with { NewKeyId = adopted.Id }, new PostHogSecret(pending), ct).ConfigureAwait(false);
                }

                foreach (var orphan in ours)
                {
                    // Made by this rotation before a crash, its value lost: it must not linger.
                    Require(await _c.Client.DeleteProjectSecretKeyAsync(_c.Host.App, rotator!, j.ProjectId.Value, orphan.Id!, ct).ConfigureAwait(false), "the rotator key", allowNotFound: true);
                }

                // At the project's key limit (50 today, 10 in older PostHog; known by count or by PostHog's
                // answer): roll in place (no overlap), journaled before the roll.
                var created = keys.Count - ours.Count >= SecretKeyLimit
                    ? new ApiResult<SecretApiKeyInfo>(ApiOutcome.Failed, 400, $"the project holds {keys.Count} project secret API keys, PostHog's limit", null, _c.Host.App)
                    : await _c.Client.CreateProjectSecretKeyAsync(_c.Host.App, rotator!, j.ProjectId.Value, j.Label, j.Scopes, ct).ConfigureAwait(false);
                if (IsKeyLimit(created))
                {
                    _c.Prompt.Say($"The project is at its secret-key limit ({created.Detail}); rolling {j.OldMask} in place instead.");
                    var rolling = await RecordAsync(j with { Method = RotationMethod.RollSecretKey }, RotationState.Requested, ct).ConfigureAwait(false);
                    return await RollAsync(rolling, _c.Store.Read(), ct).ConfigureAwait(false);
                }

                var made = Require(created, "the rotator key");
                var value = made?.Value ?? throw new RotationException("PostHog created the key but did not return its value; delete it in PostHog and run again");
                _c.FaultPoint?.Invoke("created");
                WriteStore(j, slots, slots.Current, value, slots.Previous);
                return await ObtainedAsync(j with { NewKeyId = made.Id }, new PostHogSecret(value), ct).ConfigureAwait(false);

            case RotationMethod.RotateSecretToken:
                if (slots.Next is { } already && await IsValidAsync(new PostHogSecret(already), ct, j.ProjectToken).ConfigureAwait(false))
                {
                    return await ObtainedAsync(j, new PostHogSecret(already), ct).ConfigureAwait(false);
                }

                return await ObtainSecretTokenAsync(j, slots, ct).ConfigureAwait(false);

            case RotationMethod.GuidedPersonalKey:
                return await ObtainPersonalKeyAsync(j, slots, ct).ConfigureAwait(false);

            default:
                throw new RotationException($"rotation {j.Id} has no method in its journal; abort it with --abort {j.Id}");
        }
    }

    private async Task<RotationJournal?> RollAsync(RotationJournal j, SecretSlots slots, CancellationToken ct)
    {
        if (j.NewFingerprint is { } written && slots.Current is { } now && new PostHogSecret(now).Fingerprint == written)
        {
            return await RecordAsync(j, RotationState.Obtained, ct).ConfigureAwait(false);
        }

        // Rolling again is also the repair when a roll's answer was lost: the old value is dead either way.
        var rolled = Require(await _c.Client.RollProjectSecretKeyAsync(_c.Host.App, _c.Rotator!, j.ProjectId!.Value, j.OldKeyId!, ct).ConfigureAwait(false), "the rotator key");
        var value = rolled?.Value ?? throw new RotationException("PostHog rolled the key but did not return its value; roll it again with --resume " + j.Id);
        _c.FaultPoint?.Invoke("rolled");
        WriteStore(j, slots, value, null, null);
        var secret = new PostHogSecret(value);
        return await RecordAsync(j with { NewKeyId = j.OldKeyId, NewFingerprint = secret.Fingerprint, NewMask = secret.Masked }, RotationState.Obtained, ct).ConfigureAwait(false);
    }

    private async Task<RotationJournal?> ObtainPersonalKeyAsync(RotationJournal j, SecretSlots slots, CancellationToken ct)
    {
        var scoped = j.ScopedTeams is { Count: > 0 } teams ? $", limited to project(s) {string.Join(", ", teams)}" : string.Empty;
        _c.Prompt.Say($"In PostHog (Settings → Personal API keys) create a key labelled \"{j.Label}\" with exactly these scopes: {string.Join(", ", j.Scopes)}{scoped}.");
        var pasted = _c.Prompt.ReadSecret("Paste the new key (input is hidden): ");
        if (string.IsNullOrWhiteSpace(pasted))
        {
            throw new RotationException($"no key was entered; the old key stays current. Continue with --resume {j.Id} when the new key exists");
        }

        var fresh = new PostHogSecret(pasted.Trim());
        if (fresh.Kind != PostHogTokenKind.PersonalApiKey)
        {
            throw new RotationException($"what was entered is not a phx_ personal API key ({fresh.Masked}); the old key stays current. Run --resume {j.Id} and paste the new key");
        }

        if (fresh.Fingerprint == j.OldFingerprint)
        {
            throw new RotationException($"that is the old key; create a new one. The old key stays current; run --resume {j.Id}");
        }

        var info = Require(await _c.Client.GetCurrentPersonalKeyAsync(_c.Host.App, fresh, ct).ConfigureAwait(false), "the new key");
        if (info.Id == j.OldKeyId)
        {
            throw new RotationException($"the new key is the same PostHog key as the old one ({info.Id}); create a new key. The old key stays current; run --resume {j.Id}");
        }

        var want = ScopeSet.Of(j.Scopes);
        var got = ScopeSet.Of(info.Scopes);
        if (!want.SetEquals(got))
        {
            throw new RotationException($"the new key has scopes [{got}] but the policy needs exactly [{want}]; fix the key in PostHog (or create another) and run --resume {j.Id}. The old key stays current");
        }

        if ((_c.Policy.RequireProjectScope || j.ScopedTeams is { Count: > 0 }) && !(info.ScopedTeams ?? []).Order().SequenceEqual((j.ScopedTeams ?? []).Order()))
        {
            throw new RotationException($"the new key is limited to projects [{string.Join(", ", info.ScopedTeams ?? [])}] but the old one to [{string.Join(", ", j.ScopedTeams ?? [])}]; fix it in PostHog and run --resume {j.Id}. The old key stays current");
        }

        WriteStore(j, slots, slots.Current, fresh.Reveal(), slots.Previous);
        return await ObtainedAsync(j with { NewKeyId = info.Id }, fresh, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// The legacy team secret token: PostHog answers 403 "This action does not support Personal API
    /// Key access" to <c>rotate_secret_token</c> with any key (<c>posthog/permissions.py</c>), so a
    /// person rotates it in the project settings and pastes the new token here.
    /// </summary>
    private async Task<RotationJournal?> ObtainSecretTokenAsync(RotationJournal j, SecretSlots slots, CancellationToken ct)
    {
        _c.Prompt.Say($"In PostHog open Project settings for project {j.ProjectId} ({PostHogHosts.Name(_c.Host.App)}/project/{j.ProjectId}/settings/project), find the project's secret API key ({j.OldMask}) and click \"Rotate\". PostHog keeps {j.OldMask} working as a backup until you delete it, so nothing breaks meanwhile.");
        var pasted = _c.Prompt.ReadSecret("Paste the new phs_ token (input is hidden): ");
        if (string.IsNullOrWhiteSpace(pasted))
        {
            throw new RotationException($"no token was entered; the old token stays current. Continue with --resume {j.Id} when it is rotated in PostHog");
        }

        var fresh = new PostHogSecret(pasted.Trim());
        if (fresh.Kind != PostHogTokenKind.ProjectSecretApiKey)
        {
            throw new RotationException($"what was entered is not a phs_ token ({fresh.Masked}); the old token stays current. Run --resume {j.Id} and paste the new token");
        }

        if (fresh.Fingerprint == j.OldFingerprint)
        {
            throw new RotationException($"that is the old token; rotate it in PostHog first. The old token stays current; run --resume {j.Id}");
        }

        if (!await IsValidAsync(fresh, ct, j.ProjectToken).ConfigureAwait(false))
        {
            throw new RotationException($"PostHog does not accept the pasted token {fresh.Masked} for project {j.ProjectId}; copy it again from Project settings and run --resume {j.Id}. The old token stays current");
        }

        WriteStore(j, slots, slots.Current, fresh.Reveal(), slots.Previous);
        return await ObtainedAsync(j, fresh, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// The project a <c>phs_</c> key belongs to: <c>project:</c> of its environment in hogguard.yml,
    /// else the one project (of those the rotator sees) that lists a key with its mask.
    /// <c>/api/projects/@current/</c> is the user's last-used project, not the key's, so it is never used.
    /// </summary>
    private async Task<(ProjectInfo Project, List<SecretApiKeyInfo> Matches)> FindProjectAsync(PostHogSecret old, PostHogSecret rotator, CancellationToken ct)
    {
        if (_c.Policy.Project is { } configured)
        {
            var keys = Require(await _c.Client.ListProjectSecretKeysAsync(_c.Host.App, rotator, configured, ct).ConfigureAwait(false), "the rotator key") ?? [];
            var listed = await _c.Client.ListProjectsAsync(_c.Host.App, rotator, ct).ConfigureAwait(false);
            var info = listed.Value?.Find(p => p.Id == configured) ?? new ProjectInfo { Id = configured };
            return (info, [.. keys.Where(k => k.MaskValue == old.Masked)]);
        }

        var projects = await _c.Client.ListProjectsAsync(_c.Host.App, rotator, ct).ConfigureAwait(false);
        List<ProjectInfo> candidates;
        if (projects.IsOk)
        {
            candidates = projects.Value!;
        }
        else
        {
            // A key limited to projects may not list them; the projects it is limited to are the candidates.
            var self = await _c.Client.GetCurrentPersonalKeyAsync(_c.Host.App, rotator, ct).ConfigureAwait(false);
            if (self.Value?.ScopedTeams is not { Count: > 0 } teams)
            {
                // Require throws for every answer but Ok, with the refusal's own message.
                _ = Require(projects, "the rotator key");
                throw new System.Diagnostics.UnreachableException();
            }

            candidates = [.. teams.Select(t => new ProjectInfo { Id = t })];
        }

        var found = new List<(ProjectInfo Project, List<SecretApiKeyInfo> Matches)>();
        foreach (var project in candidates)
        {
            var keys = await _c.Client.ListProjectSecretKeysAsync(_c.Host.App, rotator, project.Id, ct).ConfigureAwait(false);
            if (keys.Outcome is ApiOutcome.NoProjectAccess or ApiOutcome.Forbidden or ApiOutcome.NotFound)
            {
                continue;
            }

            if (Require(keys, "the rotator key")?.Where(k => k.MaskValue == old.Masked).ToList() is { Count: > 0 } matches)
            {
                found.Add((project, matches));
            }
        }

        var names = string.Join(", ", candidates.Select(p => p.Name is null ? $"{p.Id}" : $"{p.Id} ({p.Name})"));
        return found switch
        {
            [var one] => one,
            [] => throw new RotationException($"no project the rotator key can see ({names}) lists a project secret key {old.Masked}; if it is a project's legacy secret token, or to skip the search, set 'project: ID' under environments.{_c.Policy.Environment} in hogguard.yml"),
            _ => throw new RotationException($"projects {string.Join(", ", found.Select(f => f.Project.Id))} each list a project secret key {old.Masked}; set 'project: ID' under environments.{_c.Policy.Environment} in hogguard.yml"),
        };
    }

    private async Task<RotationJournal?> ObtainedAsync(RotationJournal j, PostHogSecret fresh, CancellationToken ct) =>
        await RecordAsync(j with { NewFingerprint = fresh.Fingerprint, NewMask = fresh.Masked }, RotationState.Obtained, ct).ConfigureAwait(false);

    /// <summary>Obtained → verified: PostHog accepts the new key.</summary>
    private async Task<RotationJournal?> VerifyAsync(RotationJournal j, CancellationToken ct)
    {
        var slots = _c.Store.Read();
        var fresh = j.Method == RotationMethod.RollSecretKey ? ExpectCurrent(j, j.NewFingerprint!, slots) : ExpectNext(j, slots);
        if (!await IsValidAsync(fresh, ct, j.ProjectToken).ConfigureAwait(false))
        {
            throw new RotationException($"PostHog does not accept the new key {fresh.Masked}; the old key stays current. Roll back with --abort {j.Id}");
        }

        return await RecordAsync(j, RotationState.Verified, ct).ConfigureAwait(false);
    }

    /// <summary>Verified → promoted: the store's current slot holds the new key, previous the old.</summary>
    private async Task<RotationJournal?> PromoteAsync(RotationJournal j, CancellationToken ct)
    {
        var slots = _c.Store.Read();
        if (!_c.Store.CanWrite)
        {
            var fresh = j.Method == RotationMethod.RollSecretKey ? new PostHogSecret(ReadHandoff(j)) : ExpectNext(j, slots);
            var handoff = _c.Journals.HandoffPath(j.Id);
            _c.Prompt.Say($"Set {_c.Store.Description["env:".Length..]} to the new key {fresh.Masked}, kept (owner-only) in {handoff}, and deploy it.");
            if (!_c.Prompt.Confirm($"Is the new key deployed where {_c.Store.Description} is read?"))
            {
                return await WaitingAsync(j, $"waiting for the deployer to set {_c.Store.Description}; continue with --resume {j.Id}", ct).ConfigureAwait(false);
            }
        }
        else if (j.Method != RotationMethod.RollSecretKey)
        {
            var fresh = ExpectNext(j, slots);
            var old = ExpectCurrent(j, j.OldFingerprint, slots);
            WriteStore(j, slots, fresh.Reveal(), null, old.Reveal());
        }

        return await RecordAsync(j, RotationState.Promoted, ct).ConfigureAwait(false);
    }

    /// <summary>Promoted → revoked: the old key stops working in PostHog, and HogGuard has seen it refused.</summary>
    private async Task<RotationJournal?> RevokeAsync(RotationJournal j, CancellationToken ct)
    {
        var slots = _c.Store.Read();
        if (_c.Store.CanWrite)
        {
            ExpectCurrent(j, j.NewFingerprint!, slots);
        }

        var old = j.Method == RotationMethod.RollSecretKey ? null : OldFrom(j, slots);
        switch (j.Method)
        {
            case RotationMethod.CreateSecretKey:
                Require(await _c.Client.DeleteProjectSecretKeyAsync(_c.Host.App, _c.Rotator!, j.ProjectId!.Value, j.OldKeyId!, ct).ConfigureAwait(false), "the rotator key", allowNotFound: true);
                break;
            case RotationMethod.RotateSecretToken:
                if (old is not null && await IsValidAsync(old, ct, j.ProjectToken).ConfigureAwait(false))
                {
                    _c.Prompt.Say($"Now delete the backup token {j.OldMask} in PostHog (Project settings for project {j.ProjectId}, \"Delete backup\"); the new token {j.NewMask} is in use.");
                    if (!await WaitUntilRefusedAsync(old, ct, j.ProjectToken).ConfigureAwait(false))
                    {
                        return await WaitingAsync(j, $"the old token {j.OldMask} still works as PostHog's backup; delete the backup in Project settings, then run --resume {j.Id} (or add --wait to poll)", ct).ConfigureAwait(false);
                    }
                }

                break;
            case RotationMethod.GuidedPersonalKey:
                if (old is not null && await IsValidAsync(old, ct).ConfigureAwait(false))
                {
                    _c.Prompt.Say($"Now delete the old key {j.OldMask} in PostHog (Settings → Personal API keys); the new key {j.NewMask} is in use.");
                    if (!await WaitUntilRefusedAsync(old, ct).ConfigureAwait(false))
                    {
                        return await WaitingAsync(j, $"the old key {j.OldMask} still works; delete it in PostHog, then run --resume {j.Id} (or add --wait to poll)", ct).ConfigureAwait(false);
                    }
                }

                break;
        }

        if (old is not null && await IsValidAsync(old, ct, j.ProjectToken).ConfigureAwait(false))
        {
            throw new RotationException($"PostHog still accepts the old key {j.OldMask} after it was revoked; run --resume {j.Id} to try again");
        }

        return await RecordAsync(j, RotationState.Revoked, ct).ConfigureAwait(false);
    }

    /// <summary>Revoked → done: the previous slot is cleared (and a hand-off file removed).</summary>
    private async Task<RotationJournal?> FinishAsync(RotationJournal j, CancellationToken ct)
    {
        var slots = _c.Store.Read();
        if (_c.Store.CanWrite)
        {
            ExpectCurrent(j, j.NewFingerprint!, slots);
            if (slots.Previous is not null || slots.Next is not null)
            {
                WriteStore(j, slots, slots.Current, null, null);
            }
        }

        File.Delete(_c.Journals.HandoffPath(j.Id));
        return await RecordAsync(j with { Problem = null }, RotationState.Done, ct).ConfigureAwait(false);
    }

    /// <summary>Rolls back to the old key while PostHog still accepts it, and removes the new key where HogGuard can.</summary>
    public async Task<RotationJournal> AbortAsync(RotationJournal j, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(j);
        using var held = Lock();
        j = _c.Journals.Load(j.Id);
        if (j.IsFinished || j.State == RotationState.Revoked)
        {
            throw new RotationException($"rotation {j.Id} is {Name(j.State)}; the old key is already gone, so there is nothing to roll back");
        }

        if (j.Method == RotationMethod.RollSecretKey && j.State > RotationState.Requested)
        {
            throw new RotationException($"rotation {j.Id} rolled the key in place; the old value no longer works, so it cannot be rolled back. Continue with --resume {j.Id}");
        }

        var slots = _c.Store.Read();
        var old = OldFrom(j, slots);
        if (old is not null && !await IsValidAsync(old, ct, j.ProjectToken).ConfigureAwait(false))
        {
            // The store still depends on this rotation: rolling back would leave it no working key.
            throw new RotationException($"PostHog no longer accepts the old key {j.OldMask}; continue with --resume {j.Id} instead");
        }

        // Keys the store holds once this abort is through are never deleted.
        var inUse = (old is null ? new[] { slots.Current, slots.Next } : [old.Reveal()])
            .OfType<string>().Select(v => new PostHogSecret(v).Masked).ToHashSet(StringComparer.Ordinal);
        if (old is null)
        {
            // Someone (another rotation, a person) put another key in the store meanwhile: it is left
            // as it is, and only what this rotation made in PostHog is removed.
            var current = slots.Current is { } value ? new PostHogSecret(value).Masked : "nothing";
            _c.Prompt.Say($"{_c.Store.Description} no longer holds the old key {j.OldMask} (it holds {current}); it is left as it is.");
        }
        else if (_c.Store.CanWrite)
        {
            WriteStore(j, slots, old.Reveal(), null, null);
        }
        else
        {
            _c.Prompt.Say($"Keep (or set back) {_c.Store.Description} to the old key {j.OldMask}.");
            File.Delete(_c.Journals.HandoffPath(j.Id));
        }

        switch (j.Method)
        {
            case RotationMethod.CreateSecretKey:
                // The new key, and any key an interrupted run created but never stored: all carry the rotation's label.
                var keys = Require(await _c.Client.ListProjectSecretKeysAsync(_c.Host.App, _c.Rotator!, j.ProjectId!.Value, ct).ConfigureAwait(false), "the rotator key") ?? [];
                foreach (var made in keys.Where(k => (k.Label == j.Label || (j.NewKeyId is not null && k.Id == j.NewKeyId)) && !inUse.Contains(k.MaskValue ?? string.Empty)))
                {
                    Require(await _c.Client.DeleteProjectSecretKeyAsync(_c.Host.App, _c.Rotator!, j.ProjectId.Value, made.Id!, ct).ConfigureAwait(false), "the rotator key", allowNotFound: true);
                }

                break;
            case RotationMethod.GuidedPersonalKey when j.NewMask is not null:
                _c.Prompt.Say($"Delete the new key {j.NewMask} in PostHog; HogGuard no longer uses it.");
                break;
            case RotationMethod.RotateSecretToken when j.State >= RotationState.Obtained:
                _c.Prompt.Say($"If you rotated the secret token in PostHog, the old token {j.OldMask} keeps working as its backup until the backup is deleted: do not delete the backup.");
                break;
        }

        return await RecordAsync(j with { Problem = null }, RotationState.Aborted, ct).ConfigureAwait(false);
    }

    private async Task<bool> WaitUntilRefusedAsync(PostHogSecret old, CancellationToken ct, string? projectToken = null)
    {
        if (_c.WaitForDeletion is not { } limit)
        {
            return false;
        }

        var until = _c.Time.GetUtcNow() + limit;
        while (_c.Time.GetUtcNow() < until)
        {
            await Task.Delay(_c.PollInterval, _c.Time, ct).ConfigureAwait(false);
            if (!await IsValidAsync(old, ct, projectToken).ConfigureAwait(false))
            {
                return true;
            }
        }

        return false;
    }

    private async Task<RotationJournal?> WaitingAsync(RotationJournal j, string why, CancellationToken ct)
    {
        var waiting = j with { Problem = why };
        _c.Journals.Save(waiting);
        await AuditAsync(waiting, "key.rotate.waiting", AuditOutcome.Success, why, ct).ConfigureAwait(false);
        return null;
    }

    private async Task<RotationJournal> RecordAsync(RotationJournal j, RotationState state, CancellationToken ct)
    {
        var next = j with { State = state, History = [.. j.History, new RotationStep(state, _c.Time.GetUtcNow())] };
        _c.Journals.Save(next);
        await AuditAsync(next, $"key.rotate.{Name(state)}", AuditOutcome.Success, null, ct).ConfigureAwait(false);
        _c.FaultPoint?.Invoke(Name(state));
        return next;
    }

    private async Task AuditAsync(RotationJournal j, string action, AuditOutcome outcome, string? detail, CancellationToken ct)
    {
        if (_c.Audit is null)
        {
            return;
        }

        var metadata = new Dictionary<string, string?>
        {
            ["rotation"] = j.Id,
            ["method"] = j.Method?.ToString(),
            ["old"] = $"{j.OldMask} (sha256:{j.OldFingerprint})",
            ["new"] = j.NewFingerprint is null ? null : $"{j.NewMask} (sha256:{j.NewFingerprint})",
            ["detail"] = detail,
        };
        await _c.Audit.WriteAsync(new AuditEntry(_c.Time.GetUtcNow(), action, Environment.UserName, $"{j.Environment}/{j.Key}", outcome) { Metadata = metadata }, ct).ConfigureAwait(false);
    }

    public static string Name(RotationState state) => state.ToString().ToLowerInvariant();

    /// <summary>PostHog's <c>MAX_PROJECT_SECRET_API_KEYS_PER_TEAM</c> today (<c>posthog/api/project_secret_api_key.py</c>).</summary>
    private const int SecretKeyLimit = 50;

    private static readonly System.Text.RegularExpressions.Regex KeyLimitAnswer = new(
        "You can only have [0-9]+ project secret API keys|at most [0-9]+ project secret API keys",
        System.Text.RegularExpressions.RegexOptions.CultureInvariant | System.Text.RegularExpressions.RegexOptions.IgnoreCase,
        TimeSpan.FromSeconds(1));

    /// <summary>PostHog's answer at the key limit, in every version seen ("You can only have N project secret API keys. ..."), or our own count.</summary>
    private static bool IsKeyLimit(ApiResult<SecretApiKeyInfo> answer) =>
        answer.Status == 400 && answer.Detail is { } detail && (KeyLimitAnswer.IsMatch(detail) || detail.EndsWith("PostHog's limit", StringComparison.Ordinal));

    private void WriteStore(RotationJournal j, SecretSlots basis, string? current, string? next, string? previous)
    {
        if (!_c.Store.CanWrite)
        {
            // An environment variable: the deployer holds the current key; a new one waits in an
            // owner-only hand-off file beside the journal until the deployer has set it.
            if ((next ?? (current != basis.Current ? current : null)) is { } fresh)
            {
                AtomicFile.Write(_c.Journals.HandoffPath(j.Id), s => s.Write(System.Text.Encoding.UTF8.GetBytes(fresh + "\n")), UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }

            return;
        }

        try
        {
            _c.Store.Write(basis, current, next, previous);
        }
        catch (SecretStoreConflictException e)
        {
            throw new RotationException(e.Message);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            throw new RotationException($"{_c.Store.Description} cannot be written: {e.Message}");
        }
    }

    private PostHogSecret ExpectCurrent(RotationJournal j, string fingerprint, SecretSlots? slots = null)
    {
        slots ??= _c.Store.Read();
        if (!_c.Store.CanWrite && fingerprint == j.NewFingerprint)
        {
            return new PostHogSecret(ReadHandoff(j));
        }

        if (slots.Current is not { } current || new PostHogSecret(current).Fingerprint != fingerprint)
        {
            throw new RotationException($"{_c.Store.Description} no longer holds the key rotation {j.Id} expects ({(fingerprint == j.OldFingerprint ? j.OldMask : j.NewMask)}): someone changed it meanwhile. Nothing was overwritten; check the store, then --resume {j.Id} or --abort {j.Id}");
        }

        return new PostHogSecret(current);
    }

    private PostHogSecret ExpectNext(RotationJournal j, SecretSlots slots)
    {
        var value = _c.Store.CanWrite ? slots.Next : ReadHandoff(j);
        if (value is null || new PostHogSecret(value).Fingerprint != j.NewFingerprint)
        {
            throw new RotationException($"{_c.Store.Description}{SecretStoreFactory.NextSuffix} no longer holds the new key {j.NewMask}: someone changed it meanwhile. Roll back with --abort {j.Id}");
        }

        return new PostHogSecret(value);
    }

    private string ReadHandoff(RotationJournal j)
    {
        var path = _c.Journals.HandoffPath(j.Id);
        return File.Exists(path) ? File.ReadAllText(path).Trim() : throw new RotationException($"the hand-off file {path} is gone; abort with --abort {j.Id}");
    }

    /// <summary>The old key, from wherever the store keeps it at this state.</summary>
    private static PostHogSecret? OldFrom(RotationJournal j, SecretSlots slots)
    {
        foreach (var value in new[] { slots.Current, slots.Previous })
        {
            if (value is not null && new PostHogSecret(value).Fingerprint == j.OldFingerprint)
            {
                return new PostHogSecret(value);
            }
        }

        return null;
    }

    /// <summary>Whether PostHog accepts the key: only a 401 says no; any other failure stops the rotation with its reason.</summary>
    private async Task<bool> IsValidAsync(PostHogSecret key, CancellationToken ct, string? projectToken = null)
    {
        if (key.Kind == PostHogTokenKind.PersonalApiKey)
        {
            var answer = await _c.Client.GetCurrentPersonalKeyAsync(_c.Host.App, key, ct).ConfigureAwait(false);
            return answer.Outcome == ApiOutcome.InvalidKey ? false : Require(answer, key.Masked) is not null;
        }

        var flags = await _c.Client.CheckFlagDefinitionsAsync(_c.Host.Ingestion, key, projectToken, ct).ConfigureAwait(false);
        return flags.Outcome == ApiOutcome.InvalidKey ? false : Require(flags, key.Masked);
    }

    private async Task RequireValidAsync(PostHogSecret key, string what, CancellationToken ct, string? projectToken = null)
    {
        if (!await IsValidAsync(key, ct, projectToken).ConfigureAwait(false))
        {
            throw new RotationException($"PostHog does not accept {what} {key.Masked}; there is no working key to rotate from. Create a new key in PostHog and put it in {_c.Store.Description}");
        }
    }

    private static T Require<T>(ApiResult<T> answer, string what, bool allowNotFound = false) => answer.Outcome switch
    {
        ApiOutcome.Ok => answer.Value!,
        ApiOutcome.NotFound when allowNotFound => default!,
        ApiOutcome.Unreachable => throw new RotationException($"{answer.Detail}; nothing more was changed. Run again with --resume when PostHog answers"),
        ApiOutcome.MissingScope => throw new RotationException($"{what} lacks the scope '{answer.MissingScope}'; give it that scope in PostHog"),
        ApiOutcome.InvalidKey => throw new RotationException($"PostHog does not accept {what}"),
        _ => throw new RotationException($"PostHog refused the request with {what}: {answer.Detail ?? answer.Status?.ToString(System.Globalization.CultureInfo.InvariantCulture)}"),
    };
}
