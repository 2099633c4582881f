using HogGuard.Keys;
using HogGuard.PostHogApi;
using HogGuard.SecretStores;

namespace HogGuard.Rotation;

/// <summary>
/// A new project secret key with the same scopes and label, then the old one deleted: the two overlap,
/// so nothing breaks while the new key is deployed. At the project's key limit it rolls in place.
/// </summary>
internal sealed class CreateSecretKeyMethod(RotationRun run) : RotationMethodBase(run)
{
    public override async Task<RotationJournal?> ObtainAsync(RotationJournal j, SecretSlots slots, CancellationToken ct)
    {
        var keys = Run.Require(await C.Client.ListProjectSecretKeysAsync(C.Host.App, C.Rotator!, j.ProjectId!.Value, ct).ConfigureAwait(false), "the rotator key") ?? [];
        var ours = keys.Where(k => k.Label == j.Label).ToList();
        if (slots.Next is { } pending && ours.Find(k => k.MaskValue == new PostHogSecret(pending).Masked) is { } adopted)
        {
            // A crash after the store write but before the journal: adopt the key we made.
            return await Run.ObtainedAsync(j with { NewKeyId = adopted.Id }, new PostHogSecret(pending), ct).ConfigureAwait(false);
        }

        foreach (var orphan in ours)
        {
            // Made by this rotation before a crash, its value lost: it must not linger.
            Run.Require(await C.Client.DeleteProjectSecretKeyAsync(C.Host.App, C.Rotator!, j.ProjectId.Value, orphan.Id!, ct).ConfigureAwait(false), "the rotator key", allowNotFound: true);
        }

        // At the project's key limit (50 today, 10 in older PostHog; known by count or by PostHog's
        // answer): roll in place (no overlap), journaled before the roll.
        var created = keys.Count - ours.Count >= RotationRun.SecretKeyLimit
            ? new ApiResult<SecretApiKeyInfo>(ApiOutcome.Failed, 400, $"the project holds {keys.Count} project secret API keys, PostHog's limit", null, C.Host.App)
            : await C.Client.CreateProjectSecretKeyAsync(C.Host.App, C.Rotator!, j.ProjectId.Value, j.Label, j.Scopes, ct).ConfigureAwait(false);
        if (RotationRun.IsKeyLimit(created))
        {
            C.Prompt.Say($"The project is at its secret-key limit ({created.Detail}); rolling {j.OldMask} in place instead.");
            var rolling = await Run.RecordAsync(j with { Method = RotationMethod.RollSecretKey }, RotationState.Requested, ct).ConfigureAwait(false);
            return await new RollSecretKeyMethod(Run).ObtainAsync(rolling, C.Store.Read(), ct).ConfigureAwait(false);
        }

        var made = Run.Require(created, "the rotator key");
        var value = made?.Value ?? throw new RotationException("PostHog created the key but did not return its value; delete it in PostHog and run again");
        C.FaultPoint?.Invoke("created");
        Run.WriteStore(j, slots, slots.Current, value, slots.Previous);
        return await Run.ObtainedAsync(j with { NewKeyId = made.Id }, new PostHogSecret(value), ct).ConfigureAwait(false);
    }

    public override async Task<RotationJournal?> RevokeOldAsync(RotationJournal j, PostHogSecret? old, CancellationToken ct)
    {
        Run.Require(await C.Client.DeleteProjectSecretKeyAsync(C.Host.App, C.Rotator!, j.ProjectId!.Value, j.OldKeyId!, ct).ConfigureAwait(false), "the rotator key", allowNotFound: true);
        return j;
    }

    /// <summary>The new key, and any key an interrupted run created but never stored: all carry the rotation's label.</summary>
    public override async Task UndoAsync(RotationJournal j, IReadOnlySet<string> inUse, CancellationToken ct)
    {
        var keys = Run.Require(await C.Client.ListProjectSecretKeysAsync(C.Host.App, C.Rotator!, j.ProjectId!.Value, ct).ConfigureAwait(false), "the rotator key") ?? [];
        foreach (var made in keys.Where(k => (k.Label == j.Label || (j.NewKeyId is not null && k.Id == j.NewKeyId)) && !inUse.Contains(k.MaskValue ?? string.Empty)))
        {
            Run.Require(await C.Client.DeleteProjectSecretKeyAsync(C.Host.App, C.Rotator!, j.ProjectId.Value, made.Id!, ct).ConfigureAwait(false), "the rotator key", allowNotFound: true);
        }
    }
}
