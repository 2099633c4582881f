namespace HogGuard.PostHogApi;

/// <summary>PostHog's hosts. Keys carry no region, so a key is tried on each host in turn.</summary>
public static class PostHogHosts
{
    public static readonly Uri Us = new("https://us.posthog.com/");

    public static readonly Uri Eu = new("https://eu.posthog.com/");

    /// <summary>US then EU: where a key with no known host is looked for.</summary>
    public static IReadOnlyList<Uri> Default { get; } = [Us, Eu];

    /// <summary>Parses a <c>--host</c> value: an absolute http(s) URL.</summary>
    public static bool TryParse(string text, out Uri host)
    {
        host = null!;
        if (!Uri.TryCreate(text.EndsWith('/') ? text : text + "/", UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            return false;
        }

        host = uri;
        return true;
    }
}
