using HogGuard.Keys;
using HogGuard.PostHogApi;
using Microsoft.Extensions.Configuration;
using HogGuard.Configuration;

namespace HogGuard.AspNetCore;

/// <summary>
/// The <c>PostHog</c> configuration section of a service: the project token (for capture, the one
/// setting that may reach a browser), a reader and a writer personal key, a project secret key for
/// local flag evaluation, and the host. <see cref="ToString"/> shows masks, never a value.
/// </summary>
public sealed class PostHogSecurityOptions : IReloadableOptions
{
    /// <summary><c>PostHog:ProjectToken</c>: the public <c>phc_</c> token; browsers may see it.</summary>
    public string? ProjectToken { get; set; }

    /// <summary><c>PostHog:ReaderKey</c>: a <c>phx_</c> personal key holding only read scopes.</summary>
    public string? ReaderKey { get; set; }

    /// <summary><c>PostHog:WriterKey</c>: a different <c>phx_</c> personal key for changes.</summary>
    public string? WriterKey { get; set; }

    /// <summary><c>PostHog:SecretKey</c>: a <c>phs_</c> project secret key for local feature flag evaluation.</summary>
    public string? SecretKey { get; set; }

    /// <summary><c>PostHog:Host</c>: the PostHog app host, where the private API lives (default US).</summary>
    public string Host { get; set; } = "https://us.posthog.com";

    /// <summary>
    /// <c>PostHog:IngestionHost</c>: where capture and flags live. When absent it is derived for
    /// PostHog Cloud (<c>us.posthog.com</c> → <c>us.i.posthog.com</c>) and the same as
    /// <see cref="Host"/> for any other host.
    /// </summary>
    public string? IngestionHost { get; set; }

    /// <summary><c>PostHog:ReaderScopes</c>: the reader key's scopes; when absent they are introspected once at start.</summary>
    public IReadOnlyList<string>? ReaderScopes { get; set; }

    /// <summary><c>PostHog:WriterScopes</c>: the writer key's scopes; when absent they are introspected once at start.</summary>
    public IReadOnlyList<string>? WriterScopes { get; set; }

    /// <summary>
    /// <c>PostHog:PolicyFile</c> and <c>PostHog:Environment</c>: a <c>hogguard.yml</c> and the environment
    /// this service runs as; the scopes (and max age) of its reader and writer keys are then taken from
    /// that policy when <see cref="ReaderScopes"/>/<see cref="WriterScopes"/> are not set.
    /// </summary>
    public string? PolicyFile { get; set; }

    /// <inheritdoc cref="PolicyFile"/>
    public string? Environment { get; set; }

    /// <summary><c>PostHog:MaxKeyAgeDays</c>: the health check reports degraded when a personal key is older.</summary>
    public int? MaxKeyAgeDays { get; set; }

    /// <summary>
    /// <c>PostHog:HealthCheckInterval</c>: how long the health check answers from one probe of the keys
    /// before probing again in the background (default 5 minutes). <c>/health</c> never waits on PostHog.
    /// </summary>
    public TimeSpan HealthCheckInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <inheritdoc/>
    public override string ToString() =>
        $"PostHog {{ Host = {Host}, IngestionHost = {IngestionHost ?? "(derived)"}, ProjectToken = {Show(ProjectToken)}, ReaderKey = {Show(ReaderKey)}, WriterKey = {Show(WriterKey)}, SecretKey = {Show(SecretKey)} }}";

    /// <summary>The app and ingestion hosts (validated at start-up; US when unparsable).</summary>
    internal PostHogHost Endpoint()
    {
        var app = PostHogHosts.TryParse(Host, out var parsed) ? parsed : PostHogHosts.Us;
        return PostHogHost.For(app, PostHogHosts.TryParse(IngestionHost, out var ingestion) ? ingestion : null);
    }

    internal static string Show(string? value) => string.IsNullOrWhiteSpace(value) ? "(not set)" : SecretMasking.Mask(value.Trim());

    /// <summary>The section's path, for messages.</summary>
    internal string SectionName { get; private set; } = "PostHog";

    /// <summary>Values in the section that did not parse, each naming its setting; start-up validation refuses them.</summary>
    internal List<string> ConfigurationProblems { get; } = [];

    /// <summary>Reads the section by hand (no reflection-based binding), so it works trimmed and AOT-compiled.</summary>
    internal void ReadFrom(IConfiguration section)
    {
        SectionName = section is IConfigurationSection named ? named.Path : SectionName;
        var values = new ConfigurationValues(section, ConfigurationProblems);
        ProjectToken = values.Text("ProjectToken") ?? ProjectToken;
        ReaderKey = values.Text("ReaderKey") ?? ReaderKey;
        WriterKey = values.Text("WriterKey") ?? WriterKey;
        SecretKey = values.Text("SecretKey") ?? SecretKey;
        Host = values.Text("Host") ?? Host;
        IngestionHost = values.Text("IngestionHost") ?? IngestionHost;
        PolicyFile = values.Text("PolicyFile") ?? PolicyFile;
        Environment = values.Text("Environment") ?? Environment;
        ReaderScopes = List(section.GetSection("ReaderScopes")) ?? ReaderScopes;
        WriterScopes = List(section.GetSection("WriterScopes")) ?? WriterScopes;
        MaxKeyAgeDays = values.Int("MaxKeyAgeDays", "a whole number of days") ?? MaxKeyAgeDays;
        HealthCheckInterval = values.Duration("HealthCheckInterval") ?? HealthCheckInterval;
        try
        {
            ApplyPolicy();
        }
        catch (Configuration.ConfigurationException e)
        {
            // Refused by validation like any other bad value: at start it stops the start, on a reload the last valid settings stay.
            ConfigurationProblems.Add(e.Message);
        }
    }

    /// <summary>
    /// A key that was set and is gone after a reload is refused rather than applied: a file caught
    /// between a delete and a write reads as empty, and a running service must not lose its key to it.
    /// Restart the service to run without the setting.
    /// </summary>
    IEnumerable<string> IReloadableOptions.ProblemsReplacing(object previous)
    {
        var before = (PostHogSecurityOptions)previous;
        foreach (var (setting, was, now) in new[] { ("ProjectToken", before.ProjectToken, ProjectToken), ("ReaderKey", before.ReaderKey, ReaderKey), ("WriterKey", before.WriterKey, WriterKey), ("SecretKey", before.SecretKey, SecretKey) })
        {
            if (!string.IsNullOrWhiteSpace(was) && string.IsNullOrWhiteSpace(now))
            {
                yield return $"{SectionName}:{setting} ({Show(was)}) is no longer set; the running service keeps it (restart to run without it).";
            }
        }
    }

    string IReloadableOptions.Fingerprint() => string.Join(
        "\n",
        ProjectToken,
        ReaderKey?.Trim(),
        WriterKey?.Trim(),
        SecretKey?.Trim(),
        Host,
        IngestionHost,
        ReaderScopes is null ? "-" : string.Join(',', ReaderScopes),
        WriterScopes is null ? "-" : string.Join(',', WriterScopes),
        MaxKeyAgeDays,
        HealthCheckInterval,
        string.Join('|', ConfigurationProblems));

    /// <summary>Fills unset scopes and max age from the policy file's reader and writer keys for <see cref="Environment"/>.</summary>
    internal void ApplyPolicy()
    {
        if (PolicyFile is null)
        {
            return;
        }

        var config = Configuration.HogGuardConfig.Load(PolicyFile);
        var keys = config.Keys.Where(k => k.Environment == Environment).ToList();
        if (keys.Count == 0)
        {
            throw new Configuration.ConfigurationException($"{PolicyFile} has no environment '{Environment}' with keys; set PostHog:Environment to one it names ({string.Join(", ", config.Keys.Select(k => k.Environment).Distinct())})");
        }

        ReaderScopes ??= keys.FirstOrDefault(k => k.Purpose == KeyPurpose.Reader)?.Scopes;
        WriterScopes ??= keys.FirstOrDefault(k => k.Purpose == KeyPurpose.Writer)?.Scopes;
        MaxKeyAgeDays ??= keys.Where(k => k.MaxAgeDays is not null).Select(k => k.MaxAgeDays).Min();
    }

    private static List<string>? List(IConfigurationSection section)
    {
        var items = section.GetChildren().Select(c => c.Value).OfType<string>().ToList();
        return items.Count > 0 ? items : section.Value is { Length: > 0 } single ? [.. single.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)] : null;
    }
}
