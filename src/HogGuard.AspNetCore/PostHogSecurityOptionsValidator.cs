using HogGuard.Keys;
using HogGuard.PostHogApi;
using Microsoft.Extensions.Options;

namespace HogGuard.AspNetCore;

/// <summary>
/// Start-up validation: the right kind of key in each setting, reader and writer not the same key, no
/// secret in the browser-facing setting, a usable host. Messages name the setting and show at most a
/// mask, never a value.
/// </summary>
internal sealed class PostHogSecurityOptionsValidator(string section) : IValidateOptions<PostHogSecurityOptions>
{
    public ValidateOptionsResult Validate(string? name, PostHogSecurityOptions options)
    {
        var failures = new List<string>(options.ConfigurationProblems);
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

        if (!PostHogHosts.TryParse(options.Host ?? string.Empty, out _))
        {
            failures.Add($"{section}:Host '{options.Host}' is not an http(s) URL; use e.g. https://eu.posthog.com.");
        }

        if (options.IngestionHost is { } ingestion && !PostHogHosts.TryParse(ingestion, out _))
        {
            failures.Add($"{section}:IngestionHost '{ingestion}' is not an http(s) URL; use e.g. https://eu.i.posthog.com, or remove it to derive it from {section}:Host.");
        }

        if (options.HealthCheckInterval <= TimeSpan.Zero)
        {
            failures.Add($"{section}:HealthCheckInterval must be a positive duration such as 00:05:00.");
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
