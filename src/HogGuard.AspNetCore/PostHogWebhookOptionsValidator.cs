using Microsoft.Extensions.Options;

namespace HogGuard.AspNetCore;

/// <summary>Refuses to start with no secret, an empty one, or a Standard Webhooks secret that is not base64.</summary>
internal sealed class PostHogWebhookOptionsValidator : IValidateOptions<PostHogWebhookOptions>
{
    public ValidateOptionsResult Validate(string? name, PostHogWebhookOptions options)
    {
        var failures = new List<string>(options.ConfigurationProblems.Select(p => $"PostHog webhook receiver '{name}': {p}."));
        if (options.Secrets.Count == 0)
        {
            failures.Add($"PostHog webhook receiver '{name}' has no secret: add one (for example from an environment variable); deliveries would all be refused.");
        }

        foreach (var secret in options.Secrets)
        {
            try
            {
                using var key = PostHogWebhookRegistry.ToKey(options.Scheme, secret);
            }
            catch (FormatException e)
            {
                failures.Add($"PostHog webhook receiver '{name}', secret '{secret.Id}': {e.Message}. A Standard Webhooks secret looks like whsec_ followed by base64.");
            }
        }

        foreach (var duplicate in options.Secrets.GroupBy(s => s.Id, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            failures.Add($"PostHog webhook receiver '{name}' has {duplicate.Count()} secrets with the id '{duplicate.Key}'; give each secret of the keyring its own id.");
        }

        if (options.Tolerance <= TimeSpan.Zero || options.MaxBodyBytes <= 0 || options.HandledRetention <= TimeSpan.Zero)
        {
            failures.Add($"PostHog webhook receiver '{name}': Tolerance, MaxBodyBytes and HandledRetention must be positive.");
        }

        if (options.PreviousSecretOverlap < TimeSpan.Zero)
        {
            failures.Add($"PostHog webhook receiver '{name}': PreviousSecretOverlap must be zero or more.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures.Select(Keys.SecretRedaction.Redact));
    }
}
