using HogGuard.Keys;
using HogGuard.SecretStores;

namespace HogGuard.Rotation;

/// <summary>
/// A project secret key rolled in place (the project is at its key limit): PostHog replaces the value
/// of the same key, so the old value dies at once and the new one goes straight to the current slot.
/// </summary>
internal sealed class RollSecretKeyMethod(RotationRun run) : RotationMethodBase(run)
{
    public override bool InPlace => true;

    public override async Task<RotationJournal?> ObtainAsync(RotationJournal j, SecretSlots slots, CancellationToken ct)
    {
        if (j.NewFingerprint is { } written && slots.Current is { } now && new PostHogSecret(now).Fingerprint == written)
        {
            return await Run.RecordAsync(j, RotationState.Obtained, ct).ConfigureAwait(false);
        }

        // Rolling again is also the repair when a roll's answer was lost: the old value is dead either way.
        var rolled = Run.Require(await C.Client.RollProjectSecretKeyAsync(C.Host.App, C.Rotator!, j.ProjectId!.Value, j.OldKeyId!, ct).ConfigureAwait(false), "the rotator key");
        var value = rolled?.Value ?? throw new RotationException($"PostHog rolled the key but did not return its value; roll it again with {C.Words.Resume(j.Id)}");
        C.FaultPoint?.Invoke("rolled");
        Run.WriteStore(j, slots, value, null, null);
        var secret = new PostHogSecret(value);
        return await Run.RecordAsync(j with { NewKeyId = j.OldKeyId, NewFingerprint = secret.Fingerprint, NewMask = secret.Masked }, RotationState.Obtained, ct).ConfigureAwait(false);
    }

    /// <summary>The roll itself ended the old value.</summary>
    public override Task<RotationJournal?> RevokeOldAsync(RotationJournal j, PostHogSecret? old, CancellationToken ct) => Task.FromResult<RotationJournal?>(j);
}
