namespace HogGuard.PostHogApi;

/// <summary>How patient the client is. Defaults suit a CLI run against PostHog Cloud.</summary>
public sealed record PostHogClientOptions
{
    /// <summary>Time allowed for one attempt (default 10 s).</summary>
    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Retries after a 429, a 5xx, a timeout or a refused connection (default 3; 0 for none).</summary>
    public int MaxRetries { get; init; } = 3;

    /// <summary>First backoff delay, doubled each retry with jitter (default 500 ms); a Retry-After header wins.</summary>
    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The longest Retry-After honoured (default 60 s); longer waits give up as unreachable.</summary>
    public TimeSpan MaxRetryAfter { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// The <see cref="HttpClient"/> given to <see cref="PostHogClient"/> applies
    /// <see cref="PostHogResilience.AddPostHogStrategies"/> in its own handler chain (as
    /// <c>AddPostHogSecurity</c> sets it up with <c>AddResilienceHandler</c>), so the client sends each
    /// request once instead of retrying it a second time (default false).
    /// </summary>
    public bool ResilienceInHttpClient { get; init; }

    /// <summary>Throws when a value is outside what the client can use, naming it.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value out of range.</exception>
    public void Validate()
    {
        Require(AttemptTimeout > TimeSpan.Zero && AttemptTimeout <= TimeSpan.FromHours(1), AttemptTimeout, nameof(AttemptTimeout), "above 0 and at most 1 hour");
        Require(MaxRetries is >= 0 and <= 10, MaxRetries, nameof(MaxRetries), "between 0 and 10");
        Require(BaseDelay >= TimeSpan.Zero && BaseDelay <= TimeSpan.FromMinutes(1), BaseDelay, nameof(BaseDelay), "between 0 and 1 minute");
        Require(MaxRetryAfter >= TimeSpan.Zero && MaxRetryAfter <= TimeSpan.FromHours(1), MaxRetryAfter, nameof(MaxRetryAfter), "between 0 and 1 hour");
    }

    private static void Require(bool ok, object value, string name, string range)
    {
        if (!ok)
        {
            throw new ArgumentOutOfRangeException(name, value, $"PostHogClientOptions.{name} must be {range}; it is {value}");
        }
    }
}
