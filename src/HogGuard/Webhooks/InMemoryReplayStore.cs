using System.Collections.Concurrent;

namespace HogGuard.Webhooks;

/// <summary>
/// The default replay store: ids in memory until they expire, at most <see cref="Capacity"/> of
/// them. When full of unexpired ids, new deliveries are refused (fail closed) rather than letting
/// an old id be forgotten early. For several instances use a shared store (IDistributedCache).
/// </summary>
public sealed class InMemoryReplayStore : IWebhookReplayStore
{
    private readonly ConcurrentDictionary<string, DateTimeOffset> _seen = new(StringComparer.Ordinal);
    private readonly Lock _purge = new();

    /// <summary>A store remembering at most <paramref name="capacity"/> ids.</summary>
    public InMemoryReplayStore(int capacity = 100_000) => Capacity = capacity > 0 ? capacity : throw new ArgumentOutOfRangeException(nameof(capacity));

    /// <summary>The most ids it remembers.</summary>
    public int Capacity { get; }

    /// <summary>How many ids it remembers now.</summary>
    public int Count => _seen.Count;

    /// <inheritdoc/>
    public bool TryRecord(string id, DateTimeOffset expiresAt, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(id);
        if (_seen.TryGetValue(id, out var until))
        {
            if (until >= now)
            {
                return false;
            }

            // Expired: a new delivery may reuse the id.
            return _seen.TryUpdate(id, expiresAt, until);
        }

        if (_seen.Count >= Capacity)
        {
            Purge(now);
            if (_seen.Count >= Capacity)
            {
                return false;
            }
        }

        return _seen.TryAdd(id, expiresAt);
    }

    private void Purge(DateTimeOffset now)
    {
        lock (_purge)
        {
            foreach (var (key, until) in _seen)
            {
                if (until < now)
                {
                    _seen.TryRemove(new KeyValuePair<string, DateTimeOffset>(key, until));
                }
            }
        }
    }
}
