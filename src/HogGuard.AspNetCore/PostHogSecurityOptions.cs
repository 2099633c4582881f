using HogGuard.Keys;
using HogGuard.PostHogApi;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using HogGuard.Configuration;

namespace HogGuard.AspNetCore;

/// <summary>
/// The <c>PostHog</c> configuration section of a service: the project token (for capture, the one
/// setting that may reach a browser), a reader and a writer personal key, a project secret key for
/// local flag evaluation, and the host. <see cref="ToString"/> shows masks, never a value.
/// </summary>
public sealed class PostHogSecurityOptions
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

    public override string ToString() =>
        $"PostHog {{ Host = {Host}, IngestionHost = {IngestionHost ?? "(derived)"}, ProjectToken = {Show(ProjectToken)}, ReaderKey = {Show(ReaderKey)}, WriterKey = {Show(WriterKey)}, SecretKey = {Show(SecretKey)} }}";

    /// <summary>The app and ingestion hosts (validated at start-up; US when unparsable).</summary>
    internal PostHogHost Endpoint()
    {
        var app = PostHogHosts.TryParse(Host, out var parsed) ? parsed : PostHogHosts.Us;
        return PostHogHost.For(app, PostHogHosts.TryParse(IngestionHost, out var ingestion) ? ingestion : null);
    }

    internal static string Show(string? value) => string.IsNullOrWhiteSpace(value) ? "(not set)" : SecretMasking.Mask(value.Trim());

    /// <summary>Reads the section by hand (no reflection-based binding), so it works trimmed and AOT-compiled.</summary>
    internal void ReadFrom(IConfiguration section)
    {
        ProjectToken = section["ProjectToken"] ?? ProjectToken;
        ReaderKey = section["ReaderKey"] ?? ReaderKey;
        WriterKey = section["WriterKey"] ?? WriterKey;
        SecretKey = section["SecretKey"] ?? SecretKey;
        Host = section["Host"] ?? Host;
        IngestionHost = section["IngestionHost"] ?? IngestionHost;
        PolicyFile = section["PolicyFile"] ?? PolicyFile;
        Environment = section["Environment"] ?? Environment;
        ReaderScopes = List(section.GetSection("ReaderScopes")) ?? ReaderScopes;
        WriterScopes = List(section.GetSection("WriterScopes")) ?? WriterScopes;
        if (int.TryParse(section["MaxKeyAgeDays"], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var days))
        {
            MaxKeyAgeDays = days;
        }

        ApplyPolicy();
    }

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

/// <summary>
/// Start-up validation: the right kind of key in each setting, reader and writer not the same key, no
/// secret in the browser-facing setting, a usable host. Messages name the setting and show at most a
/// mask, never a value.
/// </summary>
internal sealed class PostHogSecurityOptionsValidator(string section) : IValidateOptions<PostHogSecurityOptions>
{
    public ValidateOptionsResult Validate(string? name, PostHogSecurityOptions options)
    {
        var failures = new List<string>();
        Check(failures, "ProjectToken", options.ProjectToken, PostHogTokenKind.ProjectApiKey, "the public phc_ project token (Project settings > Project token)");
        Check(failures, "ReaderKey", options.ReaderKey, PostHogTokenKind.PersonalApiKey, "a phx_ personal API key with read scopes");
        Check(failures, "WriterKey", options.WriterKey, PostHogTokenKind.PersonalApiKey, "a phx_ personal API key");
        Check(failures, "SecretKey", options.SecretKey, PostHogTokenKind.ProjectSecretApiKey, "a phs_ project secret API key");
        if (options.ReaderKey is { Length: > 0 } reader && options.WriterKey is { Length: > 0 } writer && reader.Trim() == writer.Trim())
        {
            failures.Add($"{section}:ReaderKey and {section}:WriterKey are the same key ({PostHogSecurityOptions.Show(reader)}): create a separate reader key with only read scopes, so a leak of the reader cannot change anything.");
        }

        if (options.ReaderScopes is { } readerScopes && ScopeSet.Of(readerScopes).FirstWrite is { } write)
        {
            failures.Add($"{section}:ReaderScopes holds '{write}'; a reader key holds only :read scopes.");
        }

        if (!PostHogApi.PostHogHosts.TryParse(options.Host ?? string.Empty, out _))
        {
            failures.Add($"{section}:Host '{options.Host}' is not an http(s) URL; use e.g. https://eu.posthog.com.");
        }

        if (options.IngestionHost is { } ingestion && !PostHogApi.PostHogHosts.TryParse(ingestion, out _))
        {
            failures.Add($"{section}:IngestionHost '{ingestion}' is not an http(s) URL; use e.g. https://eu.i.posthog.com, or remove it to derive it from {section}:Host.");
        }

        if (options.MaxKeyAgeDays is <= 0)
        {
            failures.Add($"{section}:MaxKeyAgeDays must be a whole number of days above 0.");
        }

        // A key pasted into the wrong setting (Host, say) must not be echoed whole into the start-up log.
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures.Select(SecretRedaction.Redact));
    }

    private void Check(List<string> failures, string setting, string? value, PostHogTokenKind expected, string what)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return;
        }

        var kind = new PostHogSecret(value.Trim()).Kind;
        if (kind == expected)
        {
            return;
        }

        var found = kind is null ? "a value that is no PostHog key" : $"a {kind.Value.ReportName()} key ({PostHogSecurityOptions.Show(value)})";
        var browser = setting == "ProjectToken" && kind is not null && kind != PostHogTokenKind.ProjectApiKey
            ? " This setting is meant for browsers, so a secret there is exposed to every visitor: move it to the right setting and rotate it."
            : string.Empty;
        failures.Add($"{section}:{setting} must be {what}, but holds {found}.{browser}");
    }
}
