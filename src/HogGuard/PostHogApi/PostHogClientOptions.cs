namespace HogGuard.PostHogApi;

/// <summary>How patient the client is. Defaults suit a CLI run against PostHog Cloud.</summary>
public sealed class PostHogClientOptions
{
    /// <summary>Time allowed for one attempt (default 10 s).</summary>
    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Retries after a 429, a 5xx, a timeout or a refused connection (default 3; 0 for none).</summary>
    public int MaxRetries { get; init; } = 3;

    /// <summary>First backoff delay, doubled each retry with jitter (default 500 ms); a Retry-After header wins.</summary>
    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The longest Retry-After honoured (default 60 s); longer waits give up as unreachable.</summary>
    public TimeSpan MaxRetryAfter { get; init; } = TimeSpan.FromSeconds(60);
}
