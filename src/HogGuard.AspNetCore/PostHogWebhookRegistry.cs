using HogGuard.Webhooks;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.DependencyInjection;

namespace HogGuard.AspNetCore;

/// <summary>
/// One verifier per named receiver, built from its last valid options and rebuilt when a reload
/// changes them. The replay store and the ledger of handled deliveries outlive a rebuild (a replay
/// stays a replay across a reload), and a secret the reload drops stays accepted for
/// <see cref="PostHogWebhookOptions.PreviousSecretOverlap"/> from the moment of the reload.
/// </summary>
internal sealed class PostHogWebhookRegistry : IDisposable
{
    private readonly LastValidOptions<PostHogWebhookOptions> _options;
    private readonly TimeProvider _time;
    private readonly IServiceProvider _services;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    public PostHogWebhookRegistry(LastValidOptions<PostHogWebhookOptions> options, TimeProvider time, IServiceProvider services)
    {
        _options = options;
        _time = time;
        _services = services;
        _options.Changed += OnChanged;
    }

    public WebhookReceiver Get(string name)
    {
        // Every delivery asks: the usual answer comes without a lock; only a first use or a reload builds.
        var current = _options.Get(name);
        if (_entries.TryGetValue(name, out var known) && known.Generation == current.Generation)
        {
            return known.Receiver;
        }

        lock (_gate)
        {
            if (_entries.TryGetValue(name, out var entry) && entry.Generation == current.Generation)
            {
                return entry.Receiver;
            }

            return Build(name, current, entry).Receiver;
        }
    }

    public void Dispose() => _options.Changed -= OnChanged;

    internal static WebhookKey ToKey(WebhookScheme scheme, PostHogWebhookSecret secret) => scheme == WebhookScheme.StandardWebhooks
        ? WebhookKey.FromStandardSecret(secret.Id, secret.Secret ?? string.Empty, secret.NotBefore, secret.NotAfter)
        : WebhookKey.FromUtf8Secret(secret.Id, secret.Secret ?? string.Empty, secret.NotBefore, secret.NotAfter);

    /// <summary>A reload replaced a receiver's options: rebuild it now, so the overlap of a dropped secret counts from the reload.</summary>
    private void OnChanged(string name)
    {
        lock (_gate)
        {
            if (_entries.TryGetValue(name, out var entry))
            {
                var current = _options.Get(name);
                if (entry.Generation != current.Generation)
                {
                    Build(name, current, entry);
                }
            }
        }
    }

    private Entry Build(string name, LastValidOptions<PostHogWebhookOptions>.Versioned current, Entry? previous)
    {
        var o = current.Value;
        var now = _time.GetUtcNow();
        var retired = new List<PostHogWebhookSecret>();
        if (previous is not null)
        {
            // Secrets still within an earlier overlap, and those this reload drops (or changes under the same id).
            retired.AddRange(previous.Retired.Where(s => s.NotAfter > now));
            var overlapEnd = now + o.PreviousSecretOverlap;
            foreach (var dropped in previous.Options.Secrets.Where(s => !o.Secrets.Any(n => n.Id == s.Id && n.Secret == s.Secret)))
            {
                var until = dropped.NotAfter is { } notAfter && notAfter < overlapEnd ? notAfter : overlapEnd;
                if (until > now && o.PreviousSecretOverlap > TimeSpan.Zero)
                {
                    retired.Add(new PostHogWebhookSecret { Id = dropped.Id + " (previous)", Secret = dropped.Secret, NotBefore = dropped.NotBefore, NotAfter = until });
                }
            }
        }

        var verifierOptions = new WebhookVerifierOptions
        {
            Scheme = o.Scheme,
            Tolerance = o.Tolerance,
            TimestampHeader = o.TimestampHeader,
            SignatureHeader = o.SignatureHeader,
        };
        var keys = o.Secrets.Concat(retired).Select(s => ToKey(o.Scheme, s)).ToList();
        WebhookReceiver receiver;
        IWebhookReplayStore? replay = null;
        if (o.Scheme == WebhookScheme.StandardWebhooks)
        {
            // The id is stable across PostHog's retries: idempotency by id after the handler, not replay refusal.
            var ledger = previous?.Receiver.Ledger is { } kept && previous.Options.UseDistributedCache == o.UseDistributedCache
                ? kept
                : new WebhookDeliveryLedger(o.UseDistributedCache ? _services.GetRequiredService<IDistributedCache>() : null, "hogguard:webhook:" + name + ":handled:");
            receiver = new WebhookReceiver(new WebhookVerifier(verifierOptions, keys, _time), o.MaxBodyBytes, ledger, o.HandledRetention, _time);
        }
        else
        {
            // The timestamped hex scheme has no id: each attempt's signature is its own, so a repeated one is a replay.
            replay = previous?.Replay is { } kept && previous.Options.UseDistributedCache == o.UseDistributedCache
                ? kept
                : o.UseDistributedCache
                    ? new DistributedCacheReplayStore(_services.GetRequiredService<IDistributedCache>(), "hogguard:webhook:" + name + ":")
                    : new InMemoryReplayStore();
            receiver = new WebhookReceiver(new WebhookVerifier(verifierOptions, keys, _time, replay), o.MaxBodyBytes, null, o.HandledRetention, _time);
        }

        // The replaced verifier's keys are left to the collector, not zeroed: a request may still be verifying with them.
        var entry = new Entry(current.Generation, o, retired, receiver, replay);
        _entries[name] = entry;
        return entry;
    }

    private sealed record Entry(long Generation, PostHogWebhookOptions Options, List<PostHogWebhookSecret> Retired, WebhookReceiver Receiver, IWebhookReplayStore? Replay);
}

/// <summary>A named receiver: its verifier, body limit and, for Standard Webhooks, its ledger of handled deliveries.</summary>
internal sealed record WebhookReceiver(WebhookVerifier Verifier, int MaxBodyBytes, WebhookDeliveryLedger? Ledger, TimeSpan HandledRetention, TimeProvider Time);
