using System.Text.Json;
using HogGuard.Keys;
using HogGuard.PostHogApi;

namespace HogGuard.AspNetCore;

/// <summary>
/// Flag definitions for local evaluation, fetched with the project secret key (<c>PostHog:SecretKey</c>,
/// a <c>phs_</c> key) on the ingestion host. It uses the key in use at each call, so a rotation that
/// rewrites the setting reaches it without a restart.
/// </summary>
public sealed class PostHogFeatureFlagsClient
{
    private readonly PostHogClientSource _client;
    private readonly LastValidOptions<PostHogSecurityOptions> _settings;
    private readonly string _section;

    internal PostHogFeatureFlagsClient(PostHogClientSource client, LastValidOptions<PostHogSecurityOptions> settings, string section)
    {
        _client = client;
        _settings = settings;
        _section = section;
    }

    /// <summary>The key in use: its mask and fingerprint; never its value.</summary>
    public string Key => Current().Key.ToString();

    /// <summary><c>GET /flags/definitions</c>: PostHog's answer after retries (never an exception for HTTP failures).</summary>
    /// <exception cref="InvalidOperationException"><c>PostHog:SecretKey</c> is not set.</exception>
    public Task<ApiResult<JsonElement>> GetDefinitionsAsync(CancellationToken cancellationToken = default)
    {
        var (key, options) = Current();
        return _client.Get().GetFlagDefinitionsAsync(options.Endpoint().Ingestion, key, options.ProjectToken?.Trim(), cancellationToken);
    }

    private (PostHogSecret Key, PostHogSecurityOptions Options) Current()
    {
        var o = _settings.Get().Value;
        return string.IsNullOrWhiteSpace(o.SecretKey)
            ? throw new InvalidOperationException($"{_section}:SecretKey is not set; flag definitions need a phs_ project secret key")
            : (new PostHogSecret(o.SecretKey.Trim()), o);
    }
}
