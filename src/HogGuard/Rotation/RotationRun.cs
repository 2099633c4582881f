using HogGuard.Audit;
using HogGuard.IO;
using HogGuard.Keys;
using HogGuard.PostHogApi;
using HogGuard.SecretStores;

namespace HogGuard.Rotation;

/// <summary>
/// What every step and every method of a rotation shares: the journal (each state recorded, audited
/// and offered to the fault hook), the store (read and written with its version checked, or a hand-off
/// file for an environment variable), and PostHog's verdict on a key (only a 401 says no).
/// </summary>
internal sealed class RotationRun(RotationContext context)
{
    public RotationContext C { get; } = context;

    public async Task<bool> WaitUntilRefusedAsync(PostHogSecret old, CancellationToken ct, string? projectToken = null)
    {
        if (C.WaitForDeletion is not { } limit)
        {
            return false;
        }

        var until = C.Time.GetUtcNow() + limit;
        while (C.Time.GetUtcNow() < until)
        {
            await Task.Delay(C.PollInterval, C.Time, ct).ConfigureAwait(false);
            if (!await IsValidAsync(old, ct, projectToken).ConfigureAwait(false))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// A guided rotation's revocation: while PostHog still accepts <paramref name="old"/>, tell the person
    /// to delete it and wait (with <see cref="RotationContext.WaitForDeletion"/>) until it is refused; the journal waits otherwise.
    /// </summary>
    public async Task<RotationJournal?> AwaitDeletionAsync(RotationJournal j, PostHogSecret? old, string instruction, string waitingFor, CancellationToken ct)
    {
        if (old is not null && await IsValidAsync(old, ct, j.ProjectToken).ConfigureAwait(false))
        {
            C.Prompt.Say(instruction);
            if (!await WaitUntilRefusedAsync(old, ct, j.ProjectToken).ConfigureAwait(false))
            {
                return await WaitingAsync(j, waitingFor, ct).ConfigureAwait(false);
            }
        }

        return j;
    }

    /// <summary>A new key a person pastes: present, of the right kind, and not the old one; else the rotation stops and the old key stays current.</summary>
    /// <param name="noun">"key" or "token", as the messages call it.</param>
    /// <param name="kindText">What it must be, e.g. "a phx_ personal API key".</param>
    /// <param name="whenReady">When to resume if nothing was pasted.</param>
    /// <param name="makeNew">What to do when the old one is pasted.</param>
    public PostHogSecret ReadNewKey(RotationJournal j, string question, PostHogTokenKind kind, string noun, string kindText, string whenReady, string makeNew)
    {
        var pasted = C.Prompt.ReadSecret(question);
        if (string.IsNullOrWhiteSpace(pasted))
        {
            throw new RotationException($"no {noun} was entered; the old {noun} stays current. Continue with {C.Words.Resume(j.Id)} {whenReady}");
        }

        var fresh = new PostHogSecret(pasted.Trim());
        if (fresh.Kind != kind)
        {
            throw new RotationException($"what was entered is not {kindText} ({fresh.Masked}); the old {noun} stays current. Run {C.Words.Resume(j.Id)} and paste the new {noun}");
        }

        if (fresh.Fingerprint == j.OldFingerprint)
        {
            throw new RotationException($"that is the old {noun}; {makeNew}. The old {noun} stays current; run {C.Words.Resume(j.Id)}");
        }

        return fresh;
    }

    public async Task<RotationJournal?> WaitingAsync(RotationJournal j, string why, CancellationToken ct)
    {
        var waiting = j with { Problem = why };
        C.Journals.Save(waiting);
        await AuditAsync(waiting, "key.rotate.waiting", AuditOutcome.Success, why, ct).ConfigureAwait(false);
        return null;
    }

    public async Task<RotationJournal> RecordAsync(RotationJournal j, RotationState state, CancellationToken ct)
    {
        var next = j with { State = state, History = [.. j.History, new RotationStep(state, C.Time.GetUtcNow())] };
        C.Journals.Save(next);
        await AuditAsync(next, $"key.rotate.{KeyRotator.Name(state)}", AuditOutcome.Success, null, ct).ConfigureAwait(false);
        C.FaultPoint?.Invoke(KeyRotator.Name(state));
        return next;
    }

    public async Task AuditAsync(RotationJournal j, string action, AuditOutcome outcome, string? detail, CancellationToken ct)
    {
        if (C.Audit is null)
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
        await C.Audit.WriteAsync(new AuditEntry(C.Time.GetUtcNow(), action, Environment.UserName, $"{j.Environment}/{j.Key}", outcome) { Metadata = metadata }, ct).ConfigureAwait(false);
    }

    public void WriteStore(RotationJournal j, SecretSlots basis, string? current, string? next, string? previous)
    {
        if (!C.Store.CanWrite)
        {
            // An environment variable: the deployer holds the current key; a new one waits in an
            // owner-only hand-off file beside the journal until the deployer has set it.
            if ((next ?? (current != basis.Current ? current : null)) is { } fresh)
            {
                AtomicFile.Write(C.Journals.HandoffPath(j.Id), s => s.Write(System.Text.Encoding.UTF8.GetBytes(fresh + "\n")), UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }

            return;
        }

        try
        {
            C.Store.Write(basis, current, next, previous);
        }
        catch (SecretStoreConflictException e)
        {
            throw new RotationException(e.Message);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            throw new RotationException($"{C.Store.Description} cannot be written: {e.Message}");
        }
    }

    public PostHogSecret ExpectCurrent(RotationJournal j, string fingerprint, SecretSlots? slots = null)
    {
        slots ??= C.Store.Read();
        if (!C.Store.CanWrite && fingerprint == j.NewFingerprint)
        {
            return new PostHogSecret(ReadHandoff(j));
        }

        if (slots.Current is not { } current || new PostHogSecret(current).Fingerprint != fingerprint)
        {
            throw new RotationException($"{C.Store.Description} no longer holds the key rotation {j.Id} expects ({(fingerprint == j.OldFingerprint ? j.OldMask : j.NewMask)}): someone changed it meanwhile. Nothing was overwritten; check the store, then {C.Words.Resume(j.Id)} or {C.Words.Abort(j.Id)}");
        }

        return new PostHogSecret(current);
    }

    public PostHogSecret ExpectNext(RotationJournal j, SecretSlots slots)
    {
        var value = C.Store.CanWrite ? slots.Next : ReadHandoff(j);
        if (value is null || new PostHogSecret(value).Fingerprint != j.NewFingerprint)
        {
            throw new RotationException($"{C.Store.Description}{SecretStoreFactory.NextSuffix} no longer holds the new key {j.NewMask}: someone changed it meanwhile. Roll back with {C.Words.Abort(j.Id)}");
        }

        return new PostHogSecret(value);
    }

    public string ReadHandoff(RotationJournal j)
    {
        var path = C.Journals.HandoffPath(j.Id);
        return File.Exists(path) ? File.ReadAllText(path).Trim() : throw new RotationException($"the hand-off file {path} is gone; abort with {C.Words.Abort(j.Id)}");
    }

    /// <summary>The old key, from wherever the store keeps it at this state.</summary>
    public static PostHogSecret? OldFrom(RotationJournal j, SecretSlots slots)
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
    public async Task<bool> IsValidAsync(PostHogSecret key, CancellationToken ct, string? projectToken = null)
    {
        if (key.Kind == PostHogTokenKind.PersonalApiKey)
        {
            var answer = await C.Client.GetCurrentPersonalKeyAsync(C.Host.App, key, ct).ConfigureAwait(false);
            return answer.Outcome == ApiOutcome.InvalidKey ? false : Require(answer, key.Masked) is not null;
        }

        var flags = await C.Client.CheckFlagDefinitionsAsync(C.Host.Ingestion, key, projectToken, ct).ConfigureAwait(false);
        return flags.Outcome == ApiOutcome.InvalidKey ? false : Require(flags, key.Masked);
    }

    public async Task RequireValidAsync(PostHogSecret key, string what, CancellationToken ct, string? projectToken = null)
    {
        if (!await IsValidAsync(key, ct, projectToken).ConfigureAwait(false))
        {
            throw new RotationException($"PostHog does not accept {what} {key.Masked}; there is no working key to rotate from. Create a new key in PostHog and put it in {C.Store.Description}");
        }
    }

    public T Require<T>(ApiResult<T> answer, string what, bool allowNotFound = false) => answer.Outcome switch
    {
        ApiOutcome.Ok => answer.Value!,
        ApiOutcome.NotFound when allowNotFound => default!,
        ApiOutcome.Unreachable => throw new RotationException($"{answer.Detail}; nothing more was changed. Run again with {C.Words.Resume("ID")} when PostHog answers"),
        ApiOutcome.MissingScope => throw new RotationException($"{what} lacks the scope '{answer.MissingScope}'; give it that scope in PostHog"),
        ApiOutcome.InvalidKey => throw new RotationException($"PostHog does not accept {what}"),
        _ => throw new RotationException($"PostHog refused the request with {what}: {answer.Detail ?? answer.Status?.ToString(System.Globalization.CultureInfo.InvariantCulture)}"),
    };

    public async Task<RotationJournal?> ObtainedAsync(RotationJournal j, PostHogSecret fresh, CancellationToken ct) =>
        await RecordAsync(j with { NewFingerprint = fresh.Fingerprint, NewMask = fresh.Masked }, RotationState.Obtained, ct).ConfigureAwait(false);

    /// <summary>PostHog's <c>MAX_PROJECT_SECRET_API_KEYS_PER_TEAM</c> today (<c>posthog/api/project_secret_api_key.py</c>).</summary>
    public const int SecretKeyLimit = 50;

    private static readonly System.Text.RegularExpressions.Regex KeyLimitAnswer = new(
        "You can only have [0-9]+ project secret API keys|at most [0-9]+ project secret API keys",
        System.Text.RegularExpressions.RegexOptions.CultureInvariant | System.Text.RegularExpressions.RegexOptions.IgnoreCase,
        TimeSpan.FromSeconds(1));

    /// <summary>PostHog's answer at the key limit, in every version seen ("You can only have N project secret API keys. ..."), or our own count.</summary>
    public static bool IsKeyLimit(ApiResult<SecretApiKeyInfo> answer) =>
        answer.Status == 400 && answer.Detail is { } detail && (KeyLimitAnswer.IsMatch(detail) || detail.EndsWith("PostHog's limit", StringComparison.Ordinal));
}
