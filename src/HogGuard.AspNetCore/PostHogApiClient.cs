using System.Text.Json;
using HogGuard.Keys;
using HogGuard.PostHogApi;

namespace HogGuard.AspNetCore;

/// <summary>The service-account roles <c>AddPostHogSecurity</c> registers keyed clients for.</summary>
public static class PostHogRoles
{
    /// <summary><c>[FromKeyedServices(PostHogRoles.Reader)] PostHogApiClient reader</c>.</summary>
    public const string Reader = "reader";

    /// <summary><c>[FromKeyedServices(PostHogRoles.Writer)] PostHogApiClient writer</c>.</summary>
    public const string Writer = "writer";
}

/// <summary>A request the client's key cannot make, refused before any network call.</summary>
public sealed class PostHogScopeException(string message, string role, string scope) : InvalidOperationException(message)
{
    /// <summary>The client that refused: reader or writer.</summary>
    public string Role => role;

    /// <summary>The scope the request needs.</summary>
    public string Scope => scope;
}

/// <summary>
/// A private-API client bound to one personal key (a reader or a writer). It knows the key's scopes
/// (from configuration, or introspected once with <c>@current</c>) and refuses a request those scopes
/// cannot make before sending anything, naming the missing scope. Retries, timeouts and typed
/// outcomes are <see cref="PostHogClient"/>'s.
/// </summary>
public sealed class PostHogApiClient
{
    private readonly PostHogClient _client;
    private readonly Uri _host;
    private readonly PostHogSecret _key;
    private readonly IReadOnlyList<string>? _configuredScopes;
    private readonly object _gate = new();
    private Task<ScopeSet>? _scopes;

    internal PostHogApiClient(string role, PostHogClient client, Uri host, PostHogSecret key, IReadOnlyList<string>? scopes)
    {
        Role = role;
        _client = client;
        _host = host;
        _key = key;
        _configuredScopes = scopes;
    }

    /// <summary>reader or writer.</summary>
    public string Role { get; }

    /// <summary>The key's mask and fingerprint; never its value.</summary>
    public string Key => _key.ToString();

    /// <summary>The key's scopes: configured, or introspected once (a failed introspection is retried on the next call).</summary>
    public Task<ScopeSet> GetScopesAsync()
    {
        lock (_gate)
        {
            if (_scopes is null || _scopes.IsFaulted || _scopes.IsCanceled)
            {
                _scopes = _configuredScopes is not null
                    ? Task.FromResult(ScopeSet.Of(_configuredScopes))
                    : IntrospectAsync();
            }

            return _scopes;
        }
    }

    /// <summary>A GET, after the scope check.</summary>
    public Task<ApiResult<JsonElement>> GetAsync(string path, string? scope = null, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, path, null, scope, cancellationToken);

    /// <summary>A POST with a JSON body, after the scope check.</summary>
    public Task<ApiResult<JsonElement>> PostAsync(string path, string json, string? scope = null, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, path, json, scope, cancellationToken);

    /// <summary>A PATCH with a JSON body, after the scope check.</summary>
    public Task<ApiResult<JsonElement>> PatchAsync(string path, string json, string? scope = null, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Patch, path, json, scope, cancellationToken);

    /// <summary>A DELETE, after the scope check.</summary>
    public Task<ApiResult<JsonElement>> DeleteAsync(string path, string? scope = null, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, path, null, scope, cancellationToken);

    /// <summary>Checks the scope the request needs (given, or derived from the path and method), then sends it.</summary>
    /// <exception cref="PostHogScopeException">The key's scopes do not allow the request; nothing was sent.</exception>
    public async Task<ApiResult<JsonElement>> SendAsync(HttpMethod method, string path, string? json, string? scope = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(path);
        var needed = scope ?? ScopeSet.Required(method, path)
            ?? throw new ArgumentException($"HogGuard does not know which scope '{path}' needs; pass it (e.g. scope: \"insight:read\")", nameof(scope));
        var held = await GetScopesAsync().ConfigureAwait(false);
        if (!held.Allows(needed))
        {
            throw new PostHogScopeException(
                $"the {Role} key ({_key.Masked}) lacks the scope '{needed}' that {method} {path} needs; it holds [{held}]. Use the {(Role == PostHogRoles.Reader && needed.EndsWith(":write", StringComparison.Ordinal) ? "writer client" : "right client or give the key that scope")}.",
                Role,
                needed);
        }

        return await _client.SendAsync(_host, method, path, _key, json, cancellationToken).ConfigureAwait(false);
    }

    private async Task<ScopeSet> IntrospectAsync()
    {
        var answer = await _client.GetCurrentPersonalKeyAsync(_host, _key).ConfigureAwait(false);
        if (!answer.IsOk)
        {
            throw new InvalidOperationException($"the {Role} key's scopes could not be read from {_host}: {answer.Outcome} {answer.Detail}");
        }

        return ScopeSet.Of(answer.Value!.Scopes);
    }
}
