using HogGuard.Webhooks;
using Microsoft.Extensions.Caching.Distributed;

namespace HogGuard.AspNetCore;

/// <summary>
/// Replay protection shared by several instances through <see cref="IDistributedCache"/>. The
/// cache has no atomic add, so two instances receiving the same delivery at the same instant may
/// both accept it; a single instance never does.
/// </summary>
internal sealed class DistributedCacheReplayStore(IDistributedCache cache, string prefix = "hogguard:webhook:") : IWebhookReplayStore
{
    private static readonly byte[] Marker = [1];

    public bool TryRecord(string id, DateTimeOffset expiresAt, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(id);
        var key = prefix + id;
        if (cache.Get(key) is not null)
        {
            return false;
        }

        cache.Set(key, Marker, new DistributedCacheEntryOptions { AbsoluteExpiration = expiresAt });
        return true;
    }
}
