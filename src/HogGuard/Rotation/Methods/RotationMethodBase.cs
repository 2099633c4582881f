using HogGuard.Keys;
using HogGuard.SecretStores;

namespace HogGuard.Rotation;

/// <summary>
/// One way of replacing a key in PostHog: how the new key is obtained, how the old one is made to
/// stop working, and what an abort removes. The state loop in <see cref="KeyRotator"/> does the rest
/// (journal, verification, promotion, the store) the same for every method.
/// </summary>
internal abstract class RotationMethodBase(RotationRun run)
{
    /// <summary>The journal, store and PostHog helpers every method shares.</summary>
    protected RotationRun Run { get; } = run;

    protected RotationContext C => Run.C;

    /// <summary>
    /// The new key replaces the old one in place (a roll): it lands in the current slot, there is no
    /// overlap, and once obtained the rotation cannot be rolled back.
    /// </summary>
    public virtual bool InPlace => false;

    /// <summary>Requested → obtained: the new key, in the store before anything depends on it; null when waiting for a person.</summary>
    public abstract Task<RotationJournal?> ObtainAsync(RotationJournal j, SecretSlots slots, CancellationToken ct);

    /// <summary>The method's part of promoted → revoked: PostHog stops accepting <paramref name="old"/>; null when waiting for a person.</summary>
    public abstract Task<RotationJournal?> RevokeOldAsync(RotationJournal j, PostHogSecret? old, CancellationToken ct);

    /// <summary>The method's part of an abort: remove what this rotation made in PostHog, except keys in <paramref name="inUse"/> (masks).</summary>
    public virtual Task UndoAsync(RotationJournal j, IReadOnlySet<string> inUse, CancellationToken ct) => Task.CompletedTask;
}

/// <summary>The method a journal names.</summary>
internal static class RotationMethods
{
    public static RotationMethodBase For(RotationJournal j, RotationRun run) => j.Method switch
    {
        RotationMethod.CreateSecretKey => new CreateSecretKeyMethod(run),
        RotationMethod.RollSecretKey => new RollSecretKeyMethod(run),
        RotationMethod.RotateSecretToken => new GuidedSecretTokenMethod(run),
        RotationMethod.GuidedPersonalKey => new GuidedPersonalKeyMethod(run),
        _ => throw new RotationException($"rotation {j.Id} has no method in its journal; abort it with {run.C.Words.Abort(j.Id)}"),
    };
}
