using System.Globalization;
using HogGuard.Audit;
using HogGuard.Configuration;
using HogGuard.Detection;
using HogGuard.Keys;
using HogGuard.Policy;
using HogGuard.PostHogApi;
using HogGuard.Rotation;
using HogGuard.Sources;
using HogGuard.Webhooks;
using HogGuard.Liveness;

namespace HogGuard.Checklist;

/// <summary>What a checklist item found.</summary>
public enum CheckStatus
{
    Pass,
    Fail,
    Warn,
    Skip,
}

/// <summary>One item of the PostHog security checklist: its verdict, the evidence and the fix.</summary>
public sealed record CheckItem(int Number, string Id, string Title, CheckStatus Status, IReadOnlyList<string> Evidence, string? Fix);

/// <summary>What <see cref="SecurityChecklist.RunAsync"/> checks and how.</summary>
public sealed record ChecklistOptions
{
    /// <summary>The repository (or folder) to check.</summary>
    public string Path { get; init; } = ".";

    /// <summary>The configuration with environments, webhooks and the audit directory; null when there is none.</summary>
    public HogGuardConfig? Config { get; init; }

    /// <summary>Ask PostHog about the live keys (scopes, age) as <c>keys audit</c> does.</summary>
    public bool Verify { get; init; }

    /// <summary>A webhook endpoint to send an unsigned and a wrongly signed delivery to; both must get 401.</summary>
    public Uri? Probe { get; init; }

    /// <summary>Hosts for <see cref="Verify"/>; empty means the configuration's, else US then EU.</summary>
    public IReadOnlyList<PostHogApi.PostHogHost> Hosts { get; init; } = [];

    /// <summary>The newest audit entry must be at most this old (default 7 days).</summary>
    public TimeSpan AuditRecency { get; init; } = TimeSpan.FromDays(7);

    /// <summary>Reads the environment variables <c>env:</c> key sources name (default: this process's).</summary>
    public Func<string, string?>? Environment { get; init; }
}

/// <summary>
/// Runs the PostHog security checklist against a repository and the environments in its
/// <c>hogguard.yml</c>: keys not in code, .env files ignored, a key per environment, minimal scopes,
/// webhook signatures, audit logging, rotation on schedule. Each item is PASS, FAIL, WARN or SKIP.
/// </summary>
public sealed class SecurityChecklist(HttpClient http, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    private static readonly HashSet<string> SecretRules =
        [Rules.PersonalApiKey.Id, Rules.ProjectSecretApiKey.Id, Rules.OAuthAccessToken.Id, Rules.OAuthRefreshToken.Id, Rules.SettingLiteral.Id];

    public async Task<List<CheckItem>> RunAsync(ChecklistOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var config = options.Config ?? HogGuardConfig.Default;
        var isGit = Git.IsInsideWorkTree(options.Path);
        var scan = await SecretScanner.ScanAsync(new ScanOptions { Path = options.Path, Config = config }, cancellationToken).ConfigureAwait(false);
        var configFolder = config.SourcePath is { } source ? System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(source))! : System.IO.Path.GetFullPath(options.Path);
        var reader = new KeySourceReader(configFolder, options.Environment);
        List<Finding>? live = null;
        if (options.Verify && config.Keys.Count > 0)
        {
            var verifier = new SecretVerifier(new PostHogClient(http), options.Hosts.Count > 0 ? options.Hosts : config.Hosts);
            live = await new KeyAuditor(verifier, reader, config.KeyAudit, config.SourcePath ?? HogGuardConfig.FileName, _time).AuditAsync(config.Keys, cancellationToken).ConfigureAwait(false);
        }

        return
        [
            NoSecretsInCode(scan),
            EnvFilesIgnored(scan, isGit),
            KeyPerEnvironment(config, reader),
            MinimalScopes(config, live),
            await WebhooksAsync(config, reader, options.Probe, cancellationToken).ConfigureAwait(false),
            AuditLogging(config, options.AuditRecency),
            RotationSchedule(config, live),
        ];
    }

    private static CheckItem NoSecretsInCode(ScanResult scan)
    {
        const string Title = "Keys live in environment variables, not in code";
        var secrets = scan.Findings.Where(f => SecretRules.Contains(f.Rule.Id)).ToList();
        if (secrets.Count == 0)
        {
            return new(1, "keys-not-in-code", Title, CheckStatus.Pass, [$"{scan.Statistics.Files} files scanned, no PostHog secret found"], null);
        }

        var evidence = secrets.Take(10).Select(f => $"{f.Locations[0].Path}:{f.Locations[0].Line} {f.Rule.Id} {f.Masked}").ToList();
        if (secrets.Count > 10)
        {
            evidence.Add($"... and {secrets.Count - 10} more ('hogguard scan' lists them all)");
        }

        return new(1, "keys-not-in-code", Title, CheckStatus.Fail, evidence, "Move each key into an environment variable or secret store, remove it from the code, and rotate it (hogguard scan --verify --revoke; hogguard keys rotate).");
    }

    private static CheckItem EnvFilesIgnored(ScanResult scan, bool isGit)
    {
        const string Title = ".env files are ignored and none is tracked";
        if (!isGit)
        {
            return new(2, "env-files-ignored", Title, CheckStatus.Skip, ["not a git repository"], null);
        }

        var tracked = scan.Findings.Where(f => f.Rule.Id == Rules.EnvFileCommitted.Id).ToList();
        var unignored = scan.Findings.Where(f => f.Rule.Id == Rules.GitignoreMissingEnv.Id).ToList();
        if (tracked.Count == 0 && unignored.Count == 0)
        {
            return new(2, "env-files-ignored", Title, CheckStatus.Pass, [".gitignore ignores .env files and git tracks none"], null);
        }

        var evidence = tracked.Select(f => $"tracked: {f.Locations[0].Path}").Concat(unignored.Select(f => $"{f.Locations[0].Path}: .env is not ignored")).ToList();
        return new(2, "env-files-ignored", Title, CheckStatus.Fail, evidence, tracked.Count > 0 ? Rules.EnvFileCommitted.Fix : Rules.GitignoreMissingEnv.Fix);
    }

    private static CheckItem KeyPerEnvironment(HogGuardConfig config, KeySourceReader reader)
    {
        const string Title = "A different key per environment";
        var environments = config.Keys.Select(k => k.Environment).Distinct().ToList();
        if (environments.Count < 2)
        {
            return new(3, "key-per-environment", Title, CheckStatus.Skip, [$"hogguard.yml names {environments.Count} environment(s); nothing to compare"], null);
        }

        var seen = new List<(KeyPolicy Policy, PostHogSecret Secret)>();
        var unreadable = new List<string>();
        foreach (var policy in config.Keys.Where(k => k.Purpose != KeyPurpose.Capture))
        {
            var (value, problem) = reader.Read(policy.Source);
            if (value is null)
            {
                unreadable.Add($"{policy.Environment}/{policy.Name}: {problem}");
            }
            else
            {
                seen.Add((policy, new PostHogSecret(value)));
            }
        }

        var shared = seen.GroupBy(s => s.Secret.Fingerprint).Where(g => g.Select(s => s.Policy.Environment).Distinct().Count() > 1).ToList();
        if (shared.Count > 0)
        {
            return new(3, "key-per-environment", Title, CheckStatus.Fail,
                [.. shared.Select(g => $"{g.First().Secret.Masked} serves {string.Join(", ", g.Select(s => $"{s.Policy.Environment}/{s.Policy.Name}"))}")],
                Rules.KeySharedAcrossEnvironments.Fix);
        }

        return unreadable.Count > 0
            ? new(3, "key-per-environment", Title, CheckStatus.Warn, [$"{seen.Count} keys compared, all distinct", .. unreadable.Select(u => "not read: " + u)], "Make every key's source readable where the check runs (or run it where they are).")
            : new(3, "key-per-environment", Title, CheckStatus.Pass, [$"{seen.Count} secret keys in {environments.Count} environments, all distinct"], null);
    }

    private static CheckItem MinimalScopes(HogGuardConfig config, List<Finding>? live)
    {
        const string Title = "Each environment's keys hold only the scopes it needs";
        var personal = config.Keys.Where(k => k.Purpose is KeyPurpose.Reader or KeyPurpose.Writer).ToList();
        if (personal.Count == 0)
        {
            return new(4, "minimal-scopes", Title, CheckStatus.Skip, ["hogguard.yml names no reader or writer keys"], null);
        }

        var problems = new List<string>();
        var warnings = new List<string>();
        foreach (var policy in personal)
        {
            var where = $"{policy.Environment}/{policy.Name}";
            if (policy.Scopes is null)
            {
                warnings.Add($"{where}: the policy sets no scopes, so any scope passes");
            }
            else if (ScopeSet.Of(policy.Scopes).IsWildcard)
            {
                problems.Add($"{where}: the policy allows every scope (*)");
            }
            else if (policy.Purpose == KeyPurpose.Reader && ScopeSet.Of(policy.Scopes).FirstWrite is { } write)
            {
                problems.Add($"{where}: a reader whose policy allows {write}");
            }
        }

        if (live is not null)
        {
            foreach (var finding in live.Where(f => f.Rule.Id is "key-wildcard-scope" or "key-excess-scopes" or "key-reader-writer-shared" or "key-not-project-scoped"))
            {
                problems.Add($"{finding.Environment}: {finding.Rule.Id} {finding.Masked}{(finding.Detail is null ? string.Empty : " (" + finding.Detail + ")")}");
            }
        }

        var scope = live is null ? "policy only; add --verify to check the live keys" : "policy and live keys";
        if (problems.Count > 0)
        {
            return new(4, "minimal-scopes", Title, CheckStatus.Fail, [.. problems, .. warnings, scope], "Give each key only its purpose's scopes (a reader only :read) in PostHog and in hogguard.yml; separate reader and writer keys.");
        }

        return warnings.Count > 0
            ? new(4, "minimal-scopes", Title, CheckStatus.Warn, [.. warnings, scope], "List the scopes each reader and writer key may hold in hogguard.yml.")
            : new(4, "minimal-scopes", Title, CheckStatus.Pass, [$"{personal.Count} reader/writer keys with explicit, minimal scopes ({scope})"], null);
    }

    private async Task<CheckItem> WebhooksAsync(HogGuardConfig config, KeySourceReader reader, Uri? probe, CancellationToken ct)
    {
        const string Title = "Webhook signatures are validated";
        if (config.Webhooks.Count == 0 && probe is null)
        {
            return new(5, "webhook-signatures", Title, CheckStatus.Skip, ["hogguard.yml names no webhooks"], null);
        }

        var problems = new List<string>();
        var evidence = new List<string>();
        foreach (var webhook in config.Webhooks)
        {
            if (webhook.Secret is null)
            {
                problems.Add($"webhook '{webhook.Name}' has no secret configured");
                continue;
            }

            var (value, problem) = reader.Read(webhook.Secret);
            if (value is null)
            {
                problems.Add($"webhook '{webhook.Name}': {problem}");
            }
            else
            {
                evidence.Add($"webhook '{webhook.Name}' has a secret ({webhook.Secret})");
            }
        }

        if (probe is not null)
        {
            var unsigned = await PostAsync(probe, signed: false, ct).ConfigureAwait(false);
            var forged = await PostAsync(probe, signed: true, ct).ConfigureAwait(false);
            foreach (var (what, status) in new[] { ("an unsigned delivery", unsigned), ("a wrongly signed delivery", forged) })
            {
                (status == "401" ? evidence : problems).Add($"{probe}: {what} got {status}{(status == "401" ? string.Empty : ", not 401")}");
            }
        }
        else
        {
            evidence.Add("endpoint not probed (add --probe URL)");
        }

        return problems.Count > 0
            ? new(5, "webhook-signatures", Title, CheckStatus.Fail, [.. problems, .. evidence], "Configure a signing secret for every webhook and verify each delivery (HogGuard.AspNetCore: .RequirePostHogSignature()); refuse unsigned and wrongly signed deliveries with 401.")
            : new(5, "webhook-signatures", Title, CheckStatus.Pass, evidence, null);
    }

    private async Task<string> PostAsync(Uri url, bool signed, CancellationToken ct)
    {
        var body = "{\"event\":\"hogguard.check\"}"u8.ToArray();
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        if (signed)
        {
            // Signed with a key nobody configured: a verifying endpoint must refuse it.
            using var key = WebhookKey.FromStandardSecret("hogguard-check", WebhookKey.NewStandardSecret());
            var id = "msg_hogguard_check_" + Guid.NewGuid().ToString("N");
            var timestamp = _time.GetUtcNow().ToUnixTimeSeconds();
            request.Headers.TryAddWithoutValidation("webhook-id", id);
            request.Headers.TryAddWithoutValidation("webhook-timestamp", timestamp.ToString(CultureInfo.InvariantCulture));
            request.Headers.TryAddWithoutValidation("webhook-signature", WebhookSigner.SignStandard(key, id, timestamp, body));
        }

        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(10));
            using var response = await http.SendAsync(request, timeout.Token).ConfigureAwait(false);
            return ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            return $"no answer ({e.Message})";
        }
    }

    private CheckItem AuditLogging(HogGuardConfig config, TimeSpan recency)
    {
        const string Title = "Audit logging is enabled";
        const string Fix = "Name an audit directory in hogguard.yml (audit: { directory: PATH }) and write to it (AddPostHogAuditLog, hogguard audit append); ship it with hogguard audit ship.";
        if (config.AuditLog.Directory is not { } directory)
        {
            return new(6, "audit-logging", Title, CheckStatus.Fail, ["hogguard.yml names no audit.directory"], Fix);
        }

        if (!Directory.Exists(directory))
        {
            return new(6, "audit-logging", Title, CheckStatus.Fail, [$"{directory} does not exist"], Fix);
        }

        var verification = AuditVerifier.Verify(directory);
        if (!verification.IsIntact)
        {
            return new(6, "audit-logging", Title, CheckStatus.Fail, [$"{directory}: {verification.Detail}"], "Find out who changed the log (hogguard audit verify names the first bad entry); keep the damaged files as evidence and start a new directory.");
        }

        var stats = AuditReader.Stats(directory);
        if (stats.LastEntry is not { } last)
        {
            return new(6, "audit-logging", Title, CheckStatus.Warn, [$"{directory} verifies but holds no entries"], "Make sure the app writes its security-relevant actions to the log.");
        }

        var age = _time.GetUtcNow() - last;
        var evidence = $"{directory}: {stats.Entries} entries verify; newest {last.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)}Z";
        return age > recency
            ? new(6, "audit-logging", Title, CheckStatus.Warn, [evidence, $"no entry in the last {recency.TotalDays:0} days"], "Check that the app still writes to the log.")
            : new(6, "audit-logging", Title, CheckStatus.Pass, [evidence], null);
    }

    private CheckItem RotationSchedule(HogGuardConfig config, List<Finding>? live)
    {
        const string Title = "Keys are rotated on schedule";
        var scheduled = config.Keys.Where(k => k.MaxAgeDays is not null).ToList();
        if (scheduled.Count == 0)
        {
            return new(7, "rotation-schedule", Title, CheckStatus.Skip, ["no key in hogguard.yml has max_age_days"], null);
        }

        if (live is not null)
        {
            var overdue = live.Where(f => f.Rule.Id == Rules.KeyRotationOverdue.Id).ToList();
            var soon = live.Where(f => f.Rule.Id == Rules.KeyRotationDueSoon.Id).ToList();
            if (overdue.Count > 0)
            {
                return new(7, "rotation-schedule", Title, CheckStatus.Fail, [.. overdue.Select(f => $"{f.Environment}: {f.Masked} {f.Detail}")], "Rotate each overdue key with the command shown.");
            }

            return soon.Count > 0
                ? new(7, "rotation-schedule", Title, CheckStatus.Warn, [.. soon.Select(f => $"{f.Environment}: {f.Masked} {f.Detail}")], "Plan these rotations before their due dates.")
                : new(7, "rotation-schedule", Title, CheckStatus.Pass, [$"{scheduled.Count} scheduled keys, none overdue (live ages)"], null);
        }

        // Offline, only HogGuard's own rotation journals say when a key last changed.
        var journals = config.SourcePath is { } path ? RotationJournalStore.Beside(path).List() : [];
        var now = _time.GetUtcNow();
        var evidence = new List<string>();
        var unknown = 0;
        var late = false;
        foreach (var policy in scheduled)
        {
            var lastDone = journals.Where(j => j.State == RotationState.Done && j.Environment == policy.Environment && j.Key == policy.Name)
                .Select(j => (DateTimeOffset?)j.History[^1].At).Max();
            if (lastDone is not { } at)
            {
                unknown++;
                continue;
            }

            var due = at.AddDays(policy.MaxAgeDays!.Value);
            late |= due < now;
            evidence.Add($"{policy.Environment}/{policy.Name}: rotated {at.UtcDateTime:yyyy-MM-dd}, due {due.UtcDateTime:yyyy-MM-dd}{(due < now ? " (overdue)" : string.Empty)}");
        }

        if (late)
        {
            return new(7, "rotation-schedule", Title, CheckStatus.Fail, evidence, "Rotate each overdue key: hogguard keys rotate --env ENV --key NAME.");
        }

        if (unknown > 0)
        {
            evidence.Add($"{unknown} key(s) never rotated by HogGuard: their age needs PostHog (add --verify)");
            return new(7, "rotation-schedule", Title, CheckStatus.Skip, evidence, null);
        }

        return new(7, "rotation-schedule", Title, CheckStatus.Pass, evidence, null);
    }
}
