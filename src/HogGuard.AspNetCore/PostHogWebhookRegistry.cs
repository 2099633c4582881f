using System.Collections.Concurrent;
using HogGuard.Webhooks;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace HogGuard.AspNetCore;

/// <summary>One verifier per named receiver, built once from its options.</summary>
internal sealed class PostHogWebhookRegistry(IOptionsMonitor<PostHogWebhookOptions> options, TimeProvider time, IServiceProvider services)
{
    private readonly ConcurrentDictionary<string, WebhookReceiver> _verifiers = new(StringComparer.Ordinal);

    public WebhookReceiver Get(string name) => _verifiers.GetOrAdd(name, Build);

    internal static WebhookKey ToKey(WebhookScheme scheme, PostHogWebhookSecret secret) => scheme == WebhookScheme.StandardWebhooks
        ? WebhookKey.FromStandardSecret(secret.Id, secret.Secret ?? string.Empty, secret.NotBefore, secret.NotAfter)
        : WebhookKey.FromUtf8Secret(secret.Id, secret.Secret ?? string.Empty, secret.NotBefore, secret.NotAfter);

    private WebhookReceiver Build(string name)
    {
        var o = options.Get(name);
        var verifierOptions = new WebhookVerifierOptions
        {
            Scheme = o.Scheme,
            Tolerance = o.Tolerance,
            TimestampHeader = o.TimestampHeader,
            SignatureHeader = o.SignatureHeader,
        };
        var keys = o.Secrets.Select(s => ToKey(o.Scheme, s)).ToList();
        if (o.Scheme == WebhookScheme.StandardWebhooks)
        {
            // The id is stable across PostHog's retries: idempotency by id after the handler, not replay refusal.
            var cache = o.UseDistributedCache ? services.GetRequiredService<IDistributedCache>() : null;
            return new WebhookReceiver(new WebhookVerifier(verifierOptions, keys, time), o.MaxBodyBytes, new WebhookDeliveryLedger(cache, "hogguard:webhook:" + name + ":handled:"), o.HandledRetention, time);
        }

        // The timestamped hex scheme has no id: each attempt's signature is its own, so a repeated one is a replay.
        IWebhookReplayStore replay = o.UseDistributedCache
            ? new DistributedCacheReplayStore(services.GetRequiredService<IDistributedCache>(), "hogguard:webhook:" + name + ":")
            : new InMemoryReplayStore();
        return new WebhookReceiver(new WebhookVerifier(verifierOptions, keys, time, replay), o.MaxBodyBytes, null, o.HandledRetention, time);
    }
}

/// <summary>A named receiver: its verifier, body limit and, for Standard Webhooks, its ledger of handled deliveries.</summary>
internal sealed record WebhookReceiver(WebhookVerifier Verifier, int MaxBodyBytes, WebhookDeliveryLedger? Ledger, TimeSpan HandledRetention, TimeProvider Time);
