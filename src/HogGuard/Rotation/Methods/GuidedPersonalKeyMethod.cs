using HogGuard.Keys;
using HogGuard.SecretStores;

namespace HogGuard.Rotation;

/// <summary>
/// A personal API key, guided: PostHog lets no API create one, so a person creates it with the
/// policy's exact scopes and pastes it; HogGuard checks it, stores it, and waits until the person has
/// deleted the old key.
/// </summary>
internal sealed class GuidedPersonalKeyMethod(RotationRun run) : RotationMethodBase(run)
{
    public override async Task<RotationJournal?> ObtainAsync(RotationJournal j, SecretSlots slots, CancellationToken ct)
    {
        var scoped = j.ScopedTeams is { Count: > 0 } teams ? $", limited to project(s) {string.Join(", ", teams)}" : string.Empty;
        C.Prompt.Say($"In PostHog (Settings → Personal API keys) create a key labelled \"{j.Label}\" with exactly these scopes: {string.Join(", ", j.Scopes)}{scoped}.");
        var fresh = Run.ReadNewKey(j, "Paste the new key (input is hidden): ", PostHogTokenKind.PersonalApiKey, "key", "a phx_ personal API key", "when the new key exists", "create a new one");
        var info = Run.Require(await C.Client.GetCurrentPersonalKeyAsync(C.Host.App, fresh, ct).ConfigureAwait(false), "the new key");
        if (info.Id == j.OldKeyId)
        {
            throw new RotationException($"the new key is the same PostHog key as the old one ({info.Id}); create a new key. The old key stays current; run {C.Words.Resume(j.Id)}");
        }

        var want = ScopeSet.Of(j.Scopes);
        var got = ScopeSet.Of(info.Scopes);
        if (!want.SetEquals(got))
        {
            throw new RotationException($"the new key has scopes [{got}] but the policy needs exactly [{want}]; fix the key in PostHog (or create another) and run {C.Words.Resume(j.Id)}. The old key stays current");
        }

        if ((C.Policy.RequireProjectScope || j.ScopedTeams is { Count: > 0 }) && !(info.ScopedTeams ?? []).Order().SequenceEqual((j.ScopedTeams ?? []).Order()))
        {
            throw new RotationException($"the new key is limited to projects [{string.Join(", ", info.ScopedTeams ?? [])}] but the old one to [{string.Join(", ", j.ScopedTeams ?? [])}]; fix it in PostHog and run {C.Words.Resume(j.Id)}. The old key stays current");
        }

        Run.WriteStore(j, slots, slots.Current, fresh.Reveal(), slots.Previous);
        return await Run.ObtainedAsync(j with { NewKeyId = info.Id }, fresh, ct).ConfigureAwait(false);
    }

    public override Task<RotationJournal?> RevokeOldAsync(RotationJournal j, PostHogSecret? old, CancellationToken ct) =>
        Run.AwaitDeletionAsync(
            j,
            old,
            $"Now delete the old key {j.OldMask} in PostHog (Settings → Personal API keys); the new key {j.NewMask} is in use.",
            $"the old key {j.OldMask} still works; delete it in PostHog, then run {C.Words.Resume(j.Id)} (or add {C.Words.Wait} to poll)",
            ct);

    public override Task UndoAsync(RotationJournal j, IReadOnlySet<string> inUse, CancellationToken ct)
    {
        if (j.NewMask is not null)
        {
            C.Prompt.Say($"Delete the new key {j.NewMask} in PostHog; HogGuard no longer uses it.");
        }

        return Task.CompletedTask;
    }
}
