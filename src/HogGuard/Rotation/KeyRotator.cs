using HogGuard.Audit;
using HogGuard.Keys;
using HogGuard.SecretStores;

namespace HogGuard.Rotation;

/// <summary>
/// The journaled rotation state machine: started → requested → obtained → verified → promoted →
/// revoked → done. Each step reads the store and the journal afresh, so any step can be re-run
/// after a crash; at every instant the store holds a key PostHog accepts and the journal says which.
/// </summary>
public sealed class KeyRotator(RotationContext context)
{
    private readonly RotationContext _c = context ?? throw new ArgumentNullException(nameof(context));
    private readonly RotationRun _run = new(context);

    /// <summary>How long a run waits for another rotation of the same store key to finish (default 0: fail at once).</summary>
    public TimeSpan LockWait { get; init; } = TimeSpan.Zero;

    /// <summary>Starts a rotation of the policy's key: journals it, then runs it.</summary>
    public async Task<RotationJournal> StartAsync(CancellationToken cancellationToken = default)
    {
        using var held = Lock();
        var open = _c.Journals.List().FirstOrDefault(j => !j.IsFinished && j.Environment == _c.Policy.Environment && j.Key == _c.Policy.Name);
        if (open is not null)
        {
            throw new RotationException($"rotation {open.Id} of {_c.Policy.Environment}/{_c.Policy.Name} is unfinished ({Name(open.State)}); continue it with {_c.Words.Resume(open.Id)} or roll it back with {_c.Words.Abort(open.Id)}");
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
        journal = await _run.RecordAsync(journal, RotationState.Started, cancellationToken).ConfigureAwait(false);
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

            await _run.AuditAsync(journal, "key.rotate.stopped", AuditOutcome.Failure, e.Message, cancellationToken).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>One step; null when the rotation waits for a person (the journal says what for).</summary>
    private Task<RotationJournal?> StepAsync(RotationJournal j, CancellationToken ct) => j.State switch
    {
        RotationState.Started => new RotationPlanner(_run).PlanAsync(j, ct),
        RotationState.Requested => ObtainAsync(j, ct),
        RotationState.Obtained => VerifyAsync(j, ct),
        RotationState.Verified => PromoteAsync(j, ct),
        RotationState.Promoted => RevokeAsync(j, ct),
        RotationState.Revoked => FinishAsync(j, ct),
        _ => Task.FromResult<RotationJournal?>(null),
    };

    /// <summary>Requested → obtained: the new key, written to the store before anything depends on it.</summary>
    private Task<RotationJournal?> ObtainAsync(RotationJournal j, CancellationToken ct)
    {
        var method = RotationMethods.For(j, _run);
        var slots = _c.Store.Read();
        if (!method.InPlace)
        {
            _run.ExpectCurrent(j, j.OldFingerprint, slots);
        }

        return method.ObtainAsync(j, slots, ct);
    }

    /// <summary>Obtained → verified: PostHog accepts the new key.</summary>
    private async Task<RotationJournal?> VerifyAsync(RotationJournal j, CancellationToken ct)
    {
        var slots = _c.Store.Read();
        var fresh = RotationMethods.For(j, _run).InPlace ? _run.ExpectCurrent(j, j.NewFingerprint!, slots) : _run.ExpectNext(j, slots);
        if (!await _run.IsValidAsync(fresh, ct, j.ProjectToken).ConfigureAwait(false))
        {
            throw new RotationException($"PostHog does not accept the new key {fresh.Masked}; the old key stays current. Roll back with {_c.Words.Abort(j.Id)}");
        }

        return await _run.RecordAsync(j, RotationState.Verified, ct).ConfigureAwait(false);
    }

    /// <summary>Verified → promoted: the store's current slot holds the new key, previous the old.</summary>
    private async Task<RotationJournal?> PromoteAsync(RotationJournal j, CancellationToken ct)
    {
        var slots = _c.Store.Read();
        var inPlace = RotationMethods.For(j, _run).InPlace;
        if (!_c.Store.CanWrite)
        {
            var fresh = inPlace ? new PostHogSecret(_run.ReadHandoff(j)) : _run.ExpectNext(j, slots);
            var handoff = _c.Journals.HandoffPath(j.Id);
            _c.Prompt.Say($"Set {_c.Store.Description["env:".Length..]} to the new key {fresh.Masked}, kept (owner-only) in {handoff}, and deploy it.");
            if (!_c.Prompt.Confirm($"Is the new key deployed where {_c.Store.Description} is read?"))
            {
                return await _run.WaitingAsync(j, $"waiting for the deployer to set {_c.Store.Description}; continue with {_c.Words.Resume(j.Id)}", ct).ConfigureAwait(false);
            }
        }
        else if (!inPlace)
        {
            var fresh = _run.ExpectNext(j, slots);
            var old = _run.ExpectCurrent(j, j.OldFingerprint, slots);
            _run.WriteStore(j, slots, fresh.Reveal(), null, old.Reveal());
        }

        return await _run.RecordAsync(j, RotationState.Promoted, ct).ConfigureAwait(false);
    }

    /// <summary>Promoted → revoked: the old key stops working in PostHog, and HogGuard has seen it refused.</summary>
    private async Task<RotationJournal?> RevokeAsync(RotationJournal j, CancellationToken ct)
    {
        var slots = _c.Store.Read();
        if (_c.Store.CanWrite)
        {
            _run.ExpectCurrent(j, j.NewFingerprint!, slots);
        }

        var method = RotationMethods.For(j, _run);
        var old = method.InPlace ? null : RotationRun.OldFrom(j, slots);
        if (!method.InPlace && _c.Grace > TimeSpan.Zero && j.History.LastOrDefault(h => h.State == RotationState.Promoted) is { } promoted)
        {
            var rest = promoted.At + _c.Grace - _c.Time.GetUtcNow();
            if (rest > TimeSpan.Zero)
            {
                _c.Prompt.Say($"The new key {j.NewMask} is current; waiting {Math.Ceiling(rest.TotalSeconds):0} s for running services to load it before the old key {j.OldMask} is deleted.");
                await Task.Delay(rest, _c.Time, ct).ConfigureAwait(false);
            }
        }

        if (await method.RevokeOldAsync(j, old, ct).ConfigureAwait(false) is null)
        {
            return null;
        }

        if (old is not null && await _run.IsValidAsync(old, ct, j.ProjectToken).ConfigureAwait(false))
        {
            throw new RotationException($"PostHog still accepts the old key {j.OldMask} after it was revoked; run {_c.Words.Resume(j.Id)} to try again");
        }

        return await _run.RecordAsync(j, RotationState.Revoked, ct).ConfigureAwait(false);
    }

    /// <summary>Revoked → done: the previous slot is cleared (and a hand-off file removed).</summary>
    private async Task<RotationJournal?> FinishAsync(RotationJournal j, CancellationToken ct)
    {
        var slots = _c.Store.Read();
        if (_c.Store.CanWrite)
        {
            _run.ExpectCurrent(j, j.NewFingerprint!, slots);
            if (slots.Previous is not null || slots.Next is not null)
            {
                _run.WriteStore(j, slots, slots.Current, null, null);
            }
        }

        File.Delete(_c.Journals.HandoffPath(j.Id));
        return await _run.RecordAsync(j with { Problem = null }, RotationState.Done, ct).ConfigureAwait(false);
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

        var method = RotationMethods.For(j, _run);
        if (method.InPlace && j.State > RotationState.Requested)
        {
            throw new RotationException($"rotation {j.Id} rolled the key in place; the old value no longer works, so it cannot be rolled back. Continue with {_c.Words.Resume(j.Id)}");
        }

        var slots = _c.Store.Read();
        var old = RotationRun.OldFrom(j, slots);
        if (old is not null && !await _run.IsValidAsync(old, ct, j.ProjectToken).ConfigureAwait(false))
        {
            // The store still depends on this rotation: rolling back would leave it no working key.
            throw new RotationException($"PostHog no longer accepts the old key {j.OldMask}; continue with {_c.Words.Resume(j.Id)} instead");
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
            _run.WriteStore(j, slots, old.Reveal(), null, null);
        }
        else
        {
            _c.Prompt.Say($"Keep (or set back) {_c.Store.Description} to the old key {j.OldMask}.");
            File.Delete(_c.Journals.HandoffPath(j.Id));
        }

        await method.UndoAsync(j, inUse, ct).ConfigureAwait(false);
        return await _run.RecordAsync(j with { Problem = null }, RotationState.Aborted, ct).ConfigureAwait(false);
    }

    /// <summary>A state's name as journals and messages show it.</summary>
    public static string Name(RotationState state) => state.ToString().ToLowerInvariant();
}
