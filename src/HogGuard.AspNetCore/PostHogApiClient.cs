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
/// A private-API client for one role (reader or writer), using the key the settings hold now (a
/// reload that replaces the key reaches the next request). It knows the key's scopes (from
/// configuration, or introspected once per key with <c>@current</c>) and refuses a request those
/// scopes cannot make before sending anything, naming the missing scope. Retries and timeouts are the
/// named HTTP client's resilience handler; typed outcomes are <see cref="PostHogClient"/>'s.
/// </summary>
public sealed class PostHogApiClient
{
    private readonly PostHogClientSource _client;
    private readonly LastValidOptions<PostHogSecurityOptions> _settings;
    private readonly string _section;
    private readonly Lock _gate = new();
    private Binding? _binding;

    internal PostHogApiClient(string role, PostHogClientSource client, LastValidOptions<PostHogSecurityOptions> settings, string section)
    {
        Role = role;
        _client = client;
        _settings = settings;
        _section = section;
        _ = Current();
    }

    /// <summary>reader or writer.</summary>
    public string Role { get; }

    /// <summary>The key in use: its mask and fingerprint; never its value.</summary>
    public string Key => Current().Key.ToString();

    /// <summary>
    /// The key's scopes: configured, or introspected once per key (a failed introspection is retried on
    /// the next call). After a reload that changes the key, the new key's scopes are read.
    /// </summary>
    public Task<ScopeSet> GetScopesAsync() => ScopesOf(Current());

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
        var binding = Current();
        var held = await ScopesOf(binding).ConfigureAwait(false);
        if (!held.Allows(needed))
        {
            ServiceTelemetry.ScopeRefusals.Add(1, new KeyValuePair<string, object?>("hogguard.role", Role), new KeyValuePair<string, object?>("hogguard.scope", needed));
            throw new PostHogScopeException(
                $"the {Role} key ({binding.Key.Masked}) lacks the scope '{needed}' that {method} {path} needs; it holds [{held}]. Use the {(Role == PostHogRoles.Reader && needed.EndsWith(":write", StringComparison.Ordinal) ? "writer client" : "right client or give the key that scope")}.",
                Role,
                needed);
        }

        return await _client.Get().SendAsync(binding.Host, method, path, binding.Key, json, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The key, host and scopes of the settings in use, made again only when a reload changed them.</summary>
    private Binding Current()
    {
        var settings = _settings.Get();
        var binding = Volatile.Read(ref _binding);
        if (binding?.Generation == settings.Generation)
        {
            return binding;
        }

        lock (_gate)
        {
            binding = _binding;
            if (binding?.Generation == settings.Generation)
            {
                return binding;
            }

            var o = settings.Value;
            var (value, scopes, setting) = Role == PostHogRoles.Reader ? (o.ReaderKey, o.ReaderScopes, "ReaderKey") : (o.WriterKey, o.WriterScopes, "WriterKey");
            if (string.IsNullOrWhiteSpace(value))
            {
                throw new InvalidOperationException($"{_section}:{setting} is not set; the {Role} client needs a phx_ personal API key");
            }

            var next = new Binding(settings.Generation, new PostHogSecret(value.Trim()), o.Endpoint().App, scopes);
            if (binding is not null && binding.Key.Equals(next.Key) && binding.Host == next.Host && SameScopes(binding.ConfiguredScopes, scopes))
            {
                // A reload that left this key alone keeps what was learnt about it.
                next.Scopes = binding.Scopes;
            }

            Volatile.Write(ref _binding, next);
            return next;
        }
    }

    private Task<ScopeSet> ScopesOf(Binding binding)
    {
        lock (_gate)
        {
            if (binding.Scopes is null || binding.Scopes.IsFaulted || binding.Scopes.IsCanceled)
            {
                binding.Scopes = binding.ConfiguredScopes is not null
                    ? Task.FromResult(ScopeSet.Of(binding.ConfiguredScopes))
                    : IntrospectAsync(binding);
            }

            return binding.Scopes;
        }
    }

    private async Task<ScopeSet> IntrospectAsync(Binding binding)
    {
        var answer = await _client.Get().GetCurrentPersonalKeyAsync(binding.Host, binding.Key).ConfigureAwait(false);
        if (!answer.IsOk)
        {
            throw new InvalidOperationException($"the {Role} key's scopes could not be read from {binding.Host}: {answer.Outcome} {answer.Detail}");
        }

        return ScopeSet.Of(answer.Value!.Scopes);
    }

    private static bool SameScopes(IReadOnlyList<string>? a, IReadOnlyList<string>? b) =>
        a is null ? b is null : b is not null && a.SequenceEqual(b, StringComparer.Ordinal);

    /// <summary>One generation of the settings as this client uses them.</summary>
    private sealed class Binding(long generation, PostHogSecret key, Uri host, IReadOnlyList<string>? configuredScopes)
    {
        public long Generation { get; } = generation;

        public PostHogSecret Key { get; } = key;

        public Uri Host { get; } = host;

        public IReadOnlyList<string>? ConfiguredScopes { get; } = configuredScopes;

        public Task<ScopeSet>? Scopes { get; set; }
    }
}
