using HogGuard.PostHogApi;

namespace HogGuard.Cli;

/// <summary>What every command that talks to PostHog shares: the --host values and the HTTP client.</summary>
internal static class PostHogConnection
{
    /// <summary>The variable that names hosts from outside the repository, like <c>--host</c>: <c>URL</c> or <c>URL=INGESTION_URL</c>, separated by spaces, commas or semicolons.</summary>
    public const string HostsVariable = "HOGGUARD_HOSTS";

    /// <summary>
    /// The hosts keys are sent to: <c>--host</c>, else <c>HOGGUARD_HOSTS</c>, else the configuration's
    /// <c>posthog.hosts</c>, else US then EU. The configuration comes with the repository, so a host in
    /// it that is not PostHog Cloud is refused unless <paramref name="trustConfig"/>: a pull request
    /// must not be able to send CI's keys to a host of its choosing.
    /// </summary>
    public static IReadOnlyList<PostHogHost> KeyHosts(IReadOnlyList<PostHogHost> fromCommandLine, IReadOnlyList<PostHogHost> fromConfig, bool trustConfig, string? configPath, Func<string, string?> environment)
    {
        if (fromCommandLine.Count > 0)
        {
            return fromCommandLine;
        }

        if (environment(HostsVariable) is { } variable && !string.IsNullOrWhiteSpace(variable))
        {
            var hosts = new List<PostHogHost>();
            foreach (var entry in variable.Split([' ', ',', ';', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries))
            {
                var parts = entry.Split('=', 2);
                hosts.Add(PostHogHost.For(Parse(HostsVariable, parts[0]), parts.Length == 2 ? Parse(HostsVariable, parts[1]) : null));
            }

            return hosts;
        }

        foreach (var host in fromConfig)
        {
            foreach (var url in new[] { host.App, host.Ingestion })
            {
                if (!trustConfig && !PostHogHosts.IsPostHogCloud(url))
                {
                    throw new UsageException($"{configPath ?? "the configuration"} names {PostHogHosts.Name(url)} in posthog.hosts, which is not PostHog Cloud; keys are sent there only when it is named outside the repository (--host {PostHogHosts.Name(url)}, or {HostsVariable}), or with --trust-config");
                }
            }
        }

        return fromConfig;
    }

    /// <summary>
    /// Parses <c>--host</c> values and their <c>--ingestion-host</c> values; one that is not an
    /// http(s) URL, or a count that does not pair up, is a usage error.
    /// </summary>
    public static List<PostHogHost> ParseHosts(IReadOnlyList<string> values, IReadOnlyList<string>? ingestion = null)
    {
        ingestion ??= [];
        if (ingestion.Count > 0 && ingestion.Count != values.Count)
        {
            throw new UsageException(values.Count == 0
                ? "--ingestion-host needs the --host it belongs to; pass both"
                : $"{ingestion.Count} --ingestion-host for {values.Count} --host; give one --ingestion-host per --host, in the same order");
        }

        var hosts = new List<PostHogHost>();
        for (var i = 0; i < values.Count; i++)
        {
            var app = Parse("--host", values[i]);
            hosts.Add(PostHogHost.For(app, ingestion.Count > 0 ? Parse("--ingestion-host", ingestion[i]) : null));
        }

        return hosts;
    }

    private static Uri Parse(string option, string text) =>
        PostHogHosts.TryParse(text, out var uri)
            ? uri
            : throw new UsageException($"{option} '{text}' is not an http(s) URL; use e.g. https://eu.posthog.com or http://127.0.0.1:8010");

    /// <summary>
    /// An HTTP client whose timeouts are left to <see cref="PostHogClient"/>'s per-attempt policy.
    /// It never follows a redirect (a key must not travel to a Location PostHog's login page names)
    /// and renews pooled connections so a DNS change is seen.
    /// </summary>
    public static HttpClient CreateHttpClient()
    {
        var handler = new SocketsHttpHandler { AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(2) };
        var http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        http.DefaultRequestHeaders.UserAgent.ParseAdd("hogguard/0.1");
        return http;
    }
}
