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
    public string Role => role;

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
    private Task<IReadOnlySet<string>>? _scopes;

    internal PostHogApiClient(string role, PostHogClient client, Uri host, PostHogSecret key, IReadOnlyList<string>? scopes)
    {
        Role = role;
        _client = client;
        _host = host;
        _key = key;
        _configuredScopes = scopes;
    }

    public string Role { get; }

    /// <summary>The key's mask and fingerprint; never its value.</summary>
    public string Key => _key.ToString();

    /// <summary>The key's scopes: configured, or introspected once (a failed introspection is retried on the next call).</summary>
    public Task<IReadOnlySet<string>> GetScopesAsync()
    {
        lock (_gate)
        {
            if (_scopes is null || _scopes.IsFaulted || _scopes.IsCanceled)
            {
                _scopes = _configuredScopes is not null
                    ? Task.FromResult<IReadOnlySet<string>>(_configuredScopes.ToHashSet(StringComparer.Ordinal))
                    : IntrospectAsync();
            }

            return _scopes;
        }
    }

    public Task<ApiResult<JsonElement>> GetAsync(string path, string? scope = null, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, path, null, scope, cancellationToken);

    public Task<ApiResult<JsonElement>> PostAsync(string path, string json, string? scope = null, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, path, json, scope, cancellationToken);

    public Task<ApiResult<JsonElement>> PatchAsync(string path, string json, string? scope = null, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Patch, path, json, scope, cancellationToken);

    public Task<ApiResult<JsonElement>> DeleteAsync(string path, string? scope = null, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, path, null, scope, cancellationToken);

    /// <summary>Checks the scope the request needs (given, or derived from the path and method), then sends it.</summary>
    /// <exception cref="PostHogScopeException">The key's scopes do not allow the request; nothing was sent.</exception>
    public async Task<ApiResult<JsonElement>> SendAsync(HttpMethod method, string path, string? json, string? scope = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(path);
        var needed = scope ?? PostHogScopes.For(method, path)
            ?? throw new ArgumentException($"HogGuard does not know which scope '{path}' needs; pass it (e.g. scope: \"insight:read\")", nameof(scope));
        var held = await GetScopesAsync().ConfigureAwait(false);
        if (!PostHogScopes.Allows(held, needed))
        {
            throw new PostHogScopeException(
                $"the {Role} key ({_key.Masked}) lacks the scope '{needed}' that {method} {path} needs; it holds [{string.Join(", ", held.Order(StringComparer.Ordinal))}]. Use the {(Role == PostHogRoles.Reader && needed.EndsWith(":write", StringComparison.Ordinal) ? "writer client" : "right client or give the key that scope")}.",
                Role,
                needed);
        }

        return await _client.SendAsync(_host, method, path, _key, json, cancellationToken).ConfigureAwait(false);
    }

    private async Task<IReadOnlySet<string>> IntrospectAsync()
    {
        var answer = await _client.GetCurrentPersonalKeyAsync(_host, _key).ConfigureAwait(false);
        if (!answer.IsOk)
        {
            throw new InvalidOperationException($"the {Role} key's scopes could not be read from {_host}: {answer.Outcome} {answer.Detail}");
        }

        return answer.Value!.Scopes.ToHashSet(StringComparer.Ordinal);
    }
}

/// <summary>Which scope a private-API request needs, and whether a key's scopes allow it.</summary>
public static class PostHogScopes
{
    private static readonly Dictionary<string, string> Objects = new(StringComparer.Ordinal)
    {
        ["insights"] = "insight",
        ["feature_flags"] = "feature_flag",
        ["dashboards"] = "dashboard",
        ["cohorts"] = "cohort",
        ["persons"] = "person",
        ["query"] = "query",
        ["annotations"] = "annotation",
        ["experiments"] = "experiment",
        ["actions"] = "action",
        ["surveys"] = "survey",
        ["event_definitions"] = "event_definition",
        ["property_definitions"] = "property_definition",
        ["session_recordings"] = "session_recording",
        ["notebooks"] = "notebook",
        ["project_secret_api_keys"] = "project",
        ["hog_functions"] = "hog_function",
    };

    /// <summary><c>/api/projects/{id}/insights/…</c> GET → <c>insight:read</c>; other methods → <c>:write</c>. Null when unknown.</summary>
    public static string? For(HttpMethod method, string path)
    {
        ArgumentNullException.ThrowIfNull(method);
        var parts = (path ?? string.Empty).Split('?')[0].Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (parts is not ["api", "projects" or "environments", _, var item, ..] || !Objects.TryGetValue(item, out var obj))
        {
            return null;
        }

        // The query endpoint reads data with a POST and cancels a running query with a DELETE: both
        // are read actions there (posthog/api/query.py), so a reader key may run and cancel queries.
        var read = method == HttpMethod.Get || method == HttpMethod.Head || (obj == "query" && (method == HttpMethod.Post || method == HttpMethod.Delete));
        return $"{obj}:{(read ? "read" : "write")}";
    }

    /// <summary><c>*</c> allows everything; <c>x:write</c> allows <c>x:read</c>.</summary>
    public static bool Allows(IReadOnlySet<string> held, string needed)
    {
        ArgumentNullException.ThrowIfNull(held);
        ArgumentNullException.ThrowIfNull(needed);
        return held.Contains("*") || held.Contains(needed)
            || (needed.EndsWith(":read", StringComparison.Ordinal) && held.Contains(string.Concat(needed.AsSpan(0, needed.Length - 5), ":write")));
    }
}
