using System.Collections.Concurrent;
using Microsoft.Extensions.Caching.Distributed;

namespace HogGuard.AspNetCore;

/// <summary>
/// The Standard Webhooks deliveries a receiver has handled, by <c>webhook-id</c>. PostHog keeps the id
/// of a delivery across its retries and signs each attempt afresh
/// (<c>nodejs/src/cdp/utils/standard-webhooks.ts</c>), so the id is the idempotency key: an id is
/// recorded only once the handler answered 2xx; a retry of a handled delivery is answered 200
/// without running the handler again, and a retry after a failure runs it again. An attempt still
/// in progress in this process holds a claim, so a concurrent retry is told to come back later.
/// </summary>
internal sealed class WebhookDeliveryLedger
{
    private readonly ConcurrentDictionary<string, byte> _inFlight = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _handled = new(StringComparer.Ordinal);
    private readonly IDistributedCache? _cache;
    private readonly string _prefix;
    private readonly int _capacity;

    public WebhookDeliveryLedger(IDistributedCache? cache, string prefix, int capacity = 100_000)
    {
        _cache = cache;
        _prefix = prefix;
        _capacity = capacity;
    }

    public bool IsHandled(string id, DateTimeOffset now) =>
        _cache is not null ? _cache.Get(_prefix + id) is not null : _handled.TryGetValue(id, out var until) && until >= now;

    /// <summary>Claims the id for one attempt in this process; false while another attempt holds it.</summary>
    public bool TryClaim(string id) => _inFlight.TryAdd(id, 0);

    /// <summary>Drops this process's claim on the id (the exchange ended, whatever its outcome).</summary>
    public void Release(string id) => _inFlight.TryRemove(id, out _);

    /// <summary>Ends an attempt: a handled delivery is remembered until <paramref name="until"/>; a failed one may be retried.</summary>
    public void Finish(string id, bool handled, DateTimeOffset now, DateTimeOffset until)
    {
        try
        {
            if (!handled)
            {
                return;
            }

            if (_cache is not null)
            {
                _cache.Set(_prefix + id, [1], new DistributedCacheEntryOptions { AbsoluteExpiration = until });
                return;
            }

            if (_handled.Count >= _capacity)
            {
                foreach (var (key, expiry) in _handled)
                {
                    if (expiry < now)
                    {
                        _handled.TryRemove(new KeyValuePair<string, DateTimeOffset>(key, expiry));
                    }
                }
            }

            // Full of unexpired ids: a retry of this delivery would run the handler again, which is
            // safer than refusing new deliveries.
            if (_handled.Count < _capacity)
            {
                _handled[id] = until;
            }
        }
        finally
        {
            _inFlight.TryRemove(id, out _);
        }
    }
}
