using HogGuard.Webhooks;
using Microsoft.Extensions.Configuration;

namespace HogGuard.AspNetCore;

/// <summary>One webhook receiver's settings, bound from configuration and validated at start-up.</summary>
public sealed class PostHogWebhookOptions : IReloadableOptions
{
    /// <summary>The signing scheme (default Standard Webhooks, as PostHog's HTTP destination signs).</summary>
    public WebhookScheme Scheme { get; set; } = WebhookScheme.StandardWebhooks;

    /// <summary>The keyring: at least one secret; several during a rotation.</summary>
    public List<PostHogWebhookSecret> Secrets { get; } = [];

    /// <summary>How far a timestamp may be from now (default 5 minutes).</summary>
    public TimeSpan Tolerance { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Largest body accepted, in bytes (default 1 MiB); larger is answered 413 unread.</summary>
    public int MaxBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>
    /// How long a handled Standard Webhooks delivery id is remembered (default 24 hours): a retry of it
    /// within this time is answered 200 without running the handler again.
    /// </summary>
    public TimeSpan HandledRetention { get; set; } = TimeSpan.FromHours(24);

    /// <summary>
    /// When a reload of the configuration drops a secret from the keyring, how long deliveries signed
    /// with it are still accepted (default 1 hour): PostHog may already have signed deliveries and
    /// retries with it. Never past the secret's own <see cref="PostHogWebhookSecret.NotAfter"/>.
    /// </summary>
    public TimeSpan PreviousSecretOverlap { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Use the app's IDistributedCache for replay protection (several instances); default in-memory.</summary>
    public bool UseDistributedCache { get; set; }

    /// <summary>Header names for the hex scheme (defaults: x-posthog-timestamp, x-posthog-signature).</summary>
    public string? TimestampHeader { get; set; }

    /// <summary>See <see cref="TimestampHeader"/>.</summary>
    public string? SignatureHeader { get; set; }

    /// <summary>Values in the bound section that did not parse, each naming its setting; start-up validation refuses them.</summary>
    internal List<string> ConfigurationProblems { get; } = [];

    string IReloadableOptions.Fingerprint() => string.Join(
        "\n",
        Scheme,
        Tolerance,
        MaxBodyBytes,
        HandledRetention,
        PreviousSecretOverlap,
        UseDistributedCache,
        TimestampHeader,
        SignatureHeader,
        string.Join('|', ConfigurationProblems),
        string.Join("\n", Secrets.Select(s => $"{s.Id}\t{s.Secret}\t{s.NotBefore:O}\t{s.NotAfter:O}")));

    IEnumerable<string> IReloadableOptions.ProblemsReplacing(object previous) => [];

    /// <summary>Reads a configuration section by hand (no reflection binder), recording what does not parse.</summary>
    internal void ReadFrom(IConfiguration section)
    {
        var values = new ConfigurationValues(section, ConfigurationProblems);
        Scheme = values.Enum<WebhookScheme>("Scheme") ?? Scheme;
        Tolerance = values.Duration("Tolerance") ?? Tolerance;
        MaxBodyBytes = values.Int("MaxBodyBytes", "a whole number of bytes") ?? MaxBodyBytes;
        HandledRetention = values.Duration("HandledRetention") ?? HandledRetention;
        PreviousSecretOverlap = values.Duration("PreviousSecretOverlap") ?? PreviousSecretOverlap;
        UseDistributedCache = values.Bool("UseDistributedCache") ?? UseDistributedCache;
        TimestampHeader = values.Text("TimestampHeader") ?? TimestampHeader;
        SignatureHeader = values.Text("SignatureHeader") ?? SignatureHeader;
        foreach (var secret in section.GetSection("Secrets").GetChildren())
        {
            var item = new ConfigurationValues(secret, ConfigurationProblems);
            Secrets.Add(new PostHogWebhookSecret
            {
                Id = item.Text("Id") ?? secret.Key,
                Secret = item.Text("Secret"),
                NotBefore = item.Time("NotBefore"),
                NotAfter = item.Time("NotAfter"),
            });
        }
    }
}

/// <summary>A secret of the keyring. <see cref="ToString"/> never shows the secret.</summary>
public sealed class PostHogWebhookSecret
{
    /// <summary>The secret's id in the keyring (default "default").</summary>
    public string Id { get; set; } = "default";

    /// <summary>A <c>whsec_</c> secret (Standard Webhooks) or the shared string (hex scheme).</summary>
    public string? Secret { get; set; }

    /// <summary>The secret is used from this time on; null for always.</summary>
    public DateTimeOffset? NotBefore { get; set; }

    /// <summary>The secret is used until this time; null for always.</summary>
    public DateTimeOffset? NotAfter { get; set; }

    /// <inheritdoc/>
    public override string ToString() => $"webhook secret '{Id}'";
}
