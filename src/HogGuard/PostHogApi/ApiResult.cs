namespace HogGuard.PostHogApi;

/// <summary>A PostHog answer: the outcome, the status, PostHog's <c>detail</c> and, when it worked, the value.</summary>
public sealed record ApiResult<T>(ApiOutcome Outcome, int? Status, string? Detail, T? Value, Uri Host)
{
    /// <summary>PostHog answered 2xx.</summary>
    public bool IsOk => Outcome == ApiOutcome.Ok;

    /// <summary>The scope named by a "missing required scope" 403, e.g. <c>insight:read</c>.</summary>
    public string? MissingScope { get; init; }
}
