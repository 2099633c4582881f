namespace HogGuard.PostHogApi;

/// <summary>
/// PostHog's hosts. Keys carry no region, so a key is tried on each host in turn. PostHog Cloud
/// serves its private API on the app host (<c>us.posthog.com</c>) and capture and flags on the
/// ingestion host (<c>us.i.posthog.com</c>); a self-hosted PostHog (or the emulator) serves both
/// on one base URL unless told otherwise.
/// </summary>
public static class PostHogHosts
{
    /// <summary>PostHog Cloud US (<c>https://us.posthog.com</c>).</summary>
    public static readonly Uri Us = new("https://us.posthog.com/");

    /// <summary>PostHog Cloud EU (<c>https://eu.posthog.com</c>).</summary>
    public static readonly Uri Eu = new("https://eu.posthog.com/");

    /// <summary>US then EU: where a key with no known host is looked for.</summary>
    public static IReadOnlyList<PostHogHost> Default { get; } = [PostHogHost.For(Us), PostHogHost.For(Eu)];

    /// <summary>Parses a <c>--host</c> value: an absolute http(s) URL without query or fragment.</summary>
    public static bool TryParse(string? text, out Uri host)
    {
        host = null!;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        text = text.Trim();
        if (!Uri.TryCreate(text.EndsWith('/') ? text : text + "/", UriKind.Absolute, out var uri)
            || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp)
            || uri.Query.Length > 0 || uri.Fragment.Length > 0 || uri.UserInfo.Length > 0)
        {
            return false;
        }

        host = uri;
        return true;
    }

    /// <summary>
    /// The ingestion host that belongs to an app host: PostHog Cloud's <c>us.posthog.com</c> and the
    /// legacy <c>app.posthog.com</c> map to <c>us.i.posthog.com</c>, <c>eu.posthog.com</c> to
    /// <c>eu.i.posthog.com</c>; any other host (self-hosted, the emulator) serves both itself.
    /// </summary>
    public static Uri IngestionFor(Uri app)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (app.Scheme != Uri.UriSchemeHttps)
        {
            return app;
        }

        return app.IdnHost.ToLowerInvariant() switch
        {
            "us.posthog.com" or "app.posthog.com" => new Uri("https://us.i.posthog.com/"),
            "eu.posthog.com" => new Uri("https://eu.i.posthog.com/"),
            _ => app,
        };
    }

    /// <summary>PostHog Cloud: an https host that is <c>posthog.com</c> or under it (<c>us.posthog.com</c>, <c>eu.i.posthog.com</c>).</summary>
    public static bool IsPostHogCloud(Uri host)
    {
        ArgumentNullException.ThrowIfNull(host);
        var name = host.IdnHost.ToLowerInvariant();
        return host.Scheme == Uri.UriSchemeHttps && host.IsDefaultPort && (name == "posthog.com" || name.EndsWith(".posthog.com", StringComparison.Ordinal));
    }

    /// <summary>The host part of a URL for messages (<c>https://us.posthog.com</c>).</summary>
    public static string Name(Uri host) => host.GetLeftPart(UriPartial.Authority);
}

/// <summary>
/// One PostHog deployment: the app host (private API, <c>/api/...</c>) and the ingestion host
/// (capture <c>/batch/</c>, flags <c>/flags/definitions</c>).
/// </summary>
public sealed record PostHogHost(Uri App, Uri Ingestion)
{
    /// <summary>The app host with its ingestion host derived (PostHog Cloud) or the same (any other host).</summary>
    public static PostHogHost For(Uri app, Uri? ingestion = null) => new(app, ingestion ?? PostHogHosts.IngestionFor(app));

    /// <summary>The app host, then the ingestion host when it differs.</summary>
    public override string ToString() =>
        App == Ingestion ? PostHogHosts.Name(App) : $"{PostHogHosts.Name(App)} (ingestion {PostHogHosts.Name(Ingestion)})";
}
