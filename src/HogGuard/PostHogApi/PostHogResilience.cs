using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace HogGuard.PostHogApi;

/// <summary>
/// HogGuard's policy for PostHog calls, as Polly strategies: retries with exponential backoff and
/// jitter on 429, 5xx, timeouts and refused connections (never on any other 4xx: a refused key or a
/// missing scope does not change by asking again), a Retry-After header honoured up to
/// <see cref="PostHogClientOptions.MaxRetryAfter"/> (a longer wait gives up at once), and a timeout
/// per attempt. <see cref="PostHogClient"/> runs it itself; a service hands it to
/// <c>IHttpClientFactory</c> with <c>AddResilienceHandler("posthog", b => b.AddPostHogStrategies(options))</c>,
/// so the same policy is configured the standard way.
/// </summary>
public static class PostHogResilience
{
    /// <summary>Adds the retry and per-attempt timeout strategies, in that order, to <paramref name="builder"/>.</summary>
    public static ResiliencePipelineBuilder<HttpResponseMessage> AddPostHogStrategies(this ResiliencePipelineBuilder<HttpResponseMessage> builder, PostHogClientOptions options, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var clock = time ?? TimeProvider.System;
        if (options.MaxRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = options.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.BaseDelay,
                ShouldHandle = new PredicateBuilder<HttpResponseMessage>()
                    .Handle<HttpRequestException>()
                    .Handle<TimeoutRejectedException>()
                    .HandleResult(r => PostHogAnswers.IsTransient(r) && (PostHogAnswers.RetryAfter(r, clock) is not { } wait || wait <= options.MaxRetryAfter)),
                DelayGenerator = args => ValueTask.FromResult(args.Outcome.Result is { } r ? PostHogAnswers.RetryAfter(r, clock) : null),
                OnRetry = args =>
                {
                    args.Outcome.Result?.Dispose();
                    return default;
                },
            });
        }

        return builder.AddTimeout(options.AttemptTimeout);
    }
}
