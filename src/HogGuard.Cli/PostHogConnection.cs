using HogGuard.PostHogApi;

namespace HogGuard.Cli;

/// <summary>What every command that talks to PostHog shares: the --host values and the HTTP client.</summary>
internal static class PostHogConnection
{
    /// <summary>Parses <c>--host</c> values; one that is not an http(s) URL is a usage error.</summary>
    public static List<Uri> ParseHosts(IEnumerable<string> values)
    {
        var hosts = new List<Uri>();
        foreach (var text in values)
        {
            hosts.Add(PostHogHosts.TryParse(text, out var uri)
                ? uri
                : throw new UsageException($"--host '{text}' is not an http(s) URL; use e.g. https://eu.posthog.com or http://127.0.0.1:8010"));
        }

        return hosts;
    }

    /// <summary>An HTTP client whose timeouts are left to <see cref="PostHogClient"/>'s per-attempt policy.</summary>
    public static HttpClient CreateHttpClient()
    {
        var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        http.DefaultRequestHeaders.UserAgent.ParseAdd("hogguard/0.1");
        return http;
    }
}
