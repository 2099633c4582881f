namespace HogGuard.Webhooks;

/// <summary>Remembers accepted message ids so a captured delivery cannot be replayed.</summary>
public interface IWebhookReplayStore
{
    /// <summary>Records <paramref name="id"/> until <paramref name="expiresAt"/>; false when it was already recorded and has not expired.</summary>
    bool TryRecord(string id, DateTimeOffset expiresAt, DateTimeOffset now);
}
