using HogGuard.Configuration;
using HogGuard.Detection;
using HogGuard.Policy;
using HogGuard.PostHogApi;
using HogGuard.Sources;
using HogGuard.Liveness;

namespace HogGuard.Checklist;

/// <summary>What a checklist item found.</summary>
public enum CheckStatus
{
    /// <summary>The item holds.</summary>
    Pass,
    /// <summary>The item does not hold; the evidence says where, the fix what to do.</summary>
    Fail,
    /// <summary>The item holds only partly, or could not be fully checked.</summary>
    Warn,
    /// <summary>Nothing to check here (no such keys, not a git repository, ...).</summary>
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
/// <param name="http">Sends the webhook probe, and (without <paramref name="verifier"/>) asks PostHog about live keys.</param>
/// <param name="time">The clock for ages and recency.</param>
/// <param name="verifier">Asks PostHog about live keys with <see cref="ChecklistOptions.Verify"/>; default: one over <paramref name="http"/> and the configured hosts.</param>
public sealed class SecurityChecklist(HttpClient http, TimeProvider? time = null, SecretVerifier? verifier = null)
{
    private static readonly SecurityCheck[] Checks =
        [new NoSecretsInCode(), new EnvFilesIgnored(), new KeyPerEnvironment(), new MinimalScopes(), new WebhookSignatures(), new AuditLogging(), new RotationSchedule()];

    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>Runs the seven items in order and returns their verdicts.</summary>
    public async Task<List<CheckItem>> RunAsync(ChecklistOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var config = options.Config ?? HogGuardConfig.Default;
        var scan = await SecretScanner.ScanAsync(new ScanOptions { Path = options.Path, Config = config }, cancellationToken).ConfigureAwait(false);
        var configFolder = config.SourcePath is { } source ? System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(source))! : System.IO.Path.GetFullPath(options.Path);
        var reader = new KeySourceReader(configFolder, options.Environment);
        List<Finding>? live = null;
        if (options.Verify && config.Keys.Count > 0)
        {
            var keys = verifier ?? new SecretVerifier(new PostHogClient(http), options.Hosts.Count > 0 ? options.Hosts : config.Hosts);
            live = await new KeyAuditor(keys, reader, config.KeyAudit, config.SourcePath ?? HogGuardConfig.FileName, _time).AuditAsync(config.Keys, cancellationToken).ConfigureAwait(false);
        }

        var context = new CheckContext(options, config, scan, Git.IsInsideWorkTree(options.Path), reader, live, http, _time);
        var items = new List<CheckItem>(Checks.Length);
        foreach (var check in Checks)
        {
            items.Add(await check.RunAsync(context, cancellationToken).ConfigureAwait(false));
        }

        return items;
    }
}
