using HogGuard.Keys;
using HogGuard.PostHogApi;
using HogGuard.SecretStores;

namespace HogGuard.Rotation;

/// <summary>
/// The legacy team secret token, guided: PostHog answers 403 "This action does not support Personal
/// API Key access" to <c>rotate_secret_token</c> and <c>delete_secret_token_backup</c> with any key
/// (<c>posthog/permissions.py</c>), so a person rotates it in the project settings and pastes the new
/// token; PostHog keeps the old one as a backup until the person deletes it.
/// </summary>
internal sealed class GuidedSecretTokenMethod(RotationRun run) : RotationMethodBase(run)
{
    public override async Task<RotationJournal?> ObtainAsync(RotationJournal j, SecretSlots slots, CancellationToken ct)
    {
        if (slots.Next is { } already && await Run.IsValidAsync(new PostHogSecret(already), ct, j.ProjectToken).ConfigureAwait(false))
        {
            return await Run.ObtainedAsync(j, new PostHogSecret(already), ct).ConfigureAwait(false);
        }

        C.Prompt.Say($"In PostHog open Project settings for project {j.ProjectId} ({PostHogHosts.Name(C.Host.App)}/project/{j.ProjectId}/settings/project), find the project's secret API key ({j.OldMask}) and click \"Rotate\". PostHog keeps {j.OldMask} working as a backup until you delete it, so nothing breaks meanwhile.");
        var fresh = Run.ReadNewKey(j, "Paste the new phs_ token (input is hidden): ", PostHogTokenKind.ProjectSecretApiKey, "token", "a phs_ token", "when it is rotated in PostHog", "rotate it in PostHog first");
        if (!await Run.IsValidAsync(fresh, ct, j.ProjectToken).ConfigureAwait(false))
        {
            throw new RotationException($"PostHog does not accept the pasted token {fresh.Masked} for project {j.ProjectId}; copy it again from Project settings and run {C.Words.Resume(j.Id)}. The old token stays current");
        }

        Run.WriteStore(j, slots, slots.Current, fresh.Reveal(), slots.Previous);
        return await Run.ObtainedAsync(j, fresh, ct).ConfigureAwait(false);
    }

    public override Task<RotationJournal?> RevokeOldAsync(RotationJournal j, PostHogSecret? old, CancellationToken ct) =>
        Run.AwaitDeletionAsync(
            j,
            old,
            $"Now delete the backup token {j.OldMask} in PostHog (Project settings for project {j.ProjectId}, \"Delete backup\"); the new token {j.NewMask} is in use.",
            $"the old token {j.OldMask} still works as PostHog's backup; delete the backup in Project settings, then run {C.Words.Resume(j.Id)} (or add {C.Words.Wait} to poll)",
            ct);

    public override Task UndoAsync(RotationJournal j, IReadOnlySet<string> inUse, CancellationToken ct)
    {
        if (j.State >= RotationState.Obtained)
        {
            C.Prompt.Say($"If you rotated the secret token in PostHog, the old token {j.OldMask} keeps working as its backup until the backup is deleted: do not delete the backup.");
        }

        return Task.CompletedTask;
    }
}
