using System.Collections.Concurrent;
using HogGuard.Webhooks;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace HogGuard.AspNetCore;

/// <summary>One verifier per named receiver, built once from its options.</summary>
internal sealed class PostHogWebhookRegistry(IOptionsMonitor<PostHogWebhookOptions> options, TimeProvider time, IServiceProvider services)
{
    private readonly ConcurrentDictionary<string, (WebhookVerifier Verifier, int MaxBodyBytes)> _verifiers = new(StringComparer.Ordinal);

    public (WebhookVerifier Verifier, int MaxBodyBytes) Get(string name) => _verifiers.GetOrAdd(name, Build);

    internal static WebhookKey ToKey(WebhookScheme scheme, PostHogWebhookSecret secret) => scheme == WebhookScheme.StandardWebhooks
        ? WebhookKey.FromStandardSecret(secret.Id, secret.Secret ?? string.Empty, secret.NotBefore, secret.NotAfter)
        : WebhookKey.FromUtf8Secret(secret.Id, secret.Secret ?? string.Empty, secret.NotBefore, secret.NotAfter);

    private (WebhookVerifier, int) Build(string name)
    {
        var o = options.Get(name);
        var verifierOptions = new WebhookVerifierOptions
        {
            Scheme = o.Scheme,
            Tolerance = o.Tolerance,
            TimestampHeader = o.TimestampHeader,
            SignatureHeader = o.SignatureHeader,
        };
        IWebhookReplayStore replay = o.UseDistributedCache
            ? new DistributedCacheReplayStore(services.GetRequiredService<IDistributedCache>(), "hogguard:webhook:" + name + ":")
            : new InMemoryReplayStore();
        return (new WebhookVerifier(verifierOptions, o.Secrets.Select(s => ToKey(o.Scheme, s)), time, replay), o.MaxBodyBytes);
    }
}
