using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using HogGuard.Keys;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace HogGuard.PostHogApi;

/// <summary>
/// The parts of PostHog's API HogGuard uses. Every call has a per-attempt timeout and retries with
/// exponential backoff and jitter on 429, 5xx, timeouts and refused connections, honouring
/// Retry-After. PostHog's error bodies become <see cref="ApiOutcome"/> values; a host that never
/// answers is <see cref="ApiOutcome.Unreachable"/> with a message naming it.
/// </summary>
public sealed class PostHogClient
{
    private static readonly System.Text.RegularExpressions.Regex ScopePattern =
        new("missing required scope '([^']+)'", System.Text.RegularExpressions.RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    private readonly HttpClient _http;
    private readonly PostHogClientOptions _options;
    private readonly ResiliencePipeline<HttpResponseMessage> _pipeline;

    public PostHogClient(HttpClient http, PostHogClientOptions? options = null, TimeProvider? time = null)
    {
        _http = http ?? throw new ArgumentNullException(nameof(http));
        _options = options ?? new PostHogClientOptions();
        var clock = time ?? TimeProvider.System;
        _pipeline = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = clock }
            .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = _options.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = _options.BaseDelay,
                ShouldHandle = new PredicateBuilder<HttpResponseMessage>()
                    .Handle<HttpRequestException>()
                    .Handle<TimeoutRejectedException>()
                    .HandleResult(r => IsTransient(r) && (RetryAfter(r, clock) is not { } wait || wait <= _options.MaxRetryAfter)),
                DelayGenerator = args => ValueTask.FromResult(args.Outcome.Result is { } r ? RetryAfter(r, clock) : null),
                OnRetry = args =>
                {
                    args.Outcome.Result?.Dispose();
                    return default;
                },
            })
            .AddTimeout(_options.AttemptTimeout)
            .Build();
    }

    /// <summary><c>GET /api/personal_api_keys/@current/</c>: a personal key describes itself (scopes, age, last use).</summary>
    public Task<ApiResult<PersonalApiKeyInfo>> GetCurrentPersonalKeyAsync(Uri host, PostHogSecret key, CancellationToken cancellationToken = default) =>
        SendAsync(host, () => Authorized(HttpMethod.Get, host, "api/personal_api_keys/@current/", key), ApiJsonContext.Default.PersonalApiKeyInfo, cancellationToken);

    /// <summary><c>GET /api/users/@me/</c> (needs <c>user:read</c>; a 403 still proves the key valid).</summary>
    public Task<ApiResult<UserInfo>> GetMeAsync(Uri host, PostHogSecret key, CancellationToken cancellationToken = default) =>
        SendAsync(host, () => Authorized(HttpMethod.Get, host, "api/users/@me/", key), ApiJsonContext.Default.UserInfo, cancellationToken);

    /// <summary>
    /// Finds the host a personal key or OAuth token belongs to (keys carry no region): asks
    /// <c>/api/users/@me/</c> on each host in turn; 200 or a 403 means the key is valid there, 401
    /// means another region. Null when no host accepts it; <see cref="ApiOutcome.Unreachable"/> answers
    /// are returned so the caller can tell "nowhere" from "could not ask".
    /// </summary>
    public async Task<ApiResult<UserInfo>?> DiscoverRegionAsync(IReadOnlyList<Uri> hosts, PostHogSecret key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(hosts);
        ApiResult<UserInfo>? unreachable = null;
        foreach (var host in hosts)
        {
            var answer = await GetMeAsync(host, key, cancellationToken).ConfigureAwait(false);
            switch (answer.Outcome)
            {
                case ApiOutcome.Ok or ApiOutcome.MissingScope or ApiOutcome.Forbidden or ApiOutcome.NoProjectAccess:
                    return answer;
                case ApiOutcome.Unreachable:
                    unreachable ??= answer;
                    break;
            }
        }

        return unreachable;
    }

    /// <summary><c>GET /flags/definitions</c> with a secret or personal key: works only for a live key.</summary>
    public async Task<ApiResult<bool>> CheckFlagDefinitionsAsync(Uri host, PostHogSecret key, string? projectToken = null, CancellationToken cancellationToken = default)
    {
        var path = projectToken is null ? "flags/definitions" : $"flags/definitions?token={Uri.EscapeDataString(projectToken)}";
        var result = await SendAsync<bool>(host, () => Authorized(HttpMethod.Get, host, path, key), null, cancellationToken).ConfigureAwait(false);
        return new ApiResult<bool>(result.Outcome, result.Status, result.Detail, result.IsOk, host) { MissingScope = result.MissingScope };
    }

    /// <summary><c>POST /api/revoke_leaked_key</c>: PostHog's public, unauthenticated revocation of a leaked key.</summary>
    public Task<ApiResult<RevokeResult>> RevokeLeakedKeyAsync(Uri host, PostHogSecret key, CancellationToken cancellationToken = default) =>
        SendAsync(
            host,
            () => new HttpRequestMessage(HttpMethod.Post, new Uri(host, "api/revoke_leaked_key"))
            {
                Content = new StringContent(JsonSerializer.Serialize(new RevokeRequestBody { Token = key.Reveal() }, ApiJsonContext.Default.RevokeRequestBody), Encoding.UTF8, "application/json"),
            },
            ApiJsonContext.Default.RevokeResult,
            cancellationToken);

    /// <summary><c>POST /batch/</c> with a prepared body (the project token travels inside it).</summary>
    public Task<ApiResult<bool>> CaptureBatchAsync(Uri host, ReadOnlyMemory<byte> body, CancellationToken cancellationToken = default) =>
        SendAsync<bool>(
            host,
            () => new HttpRequestMessage(HttpMethod.Post, new Uri(host, "batch/")) { Content = new ReadOnlyMemoryContent(body) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } } },
            null,
            cancellationToken);

    /// <summary><c>GET /api/projects/@current/</c>: the project a personal key works in (needs <c>project:read</c>).</summary>
    public Task<ApiResult<ProjectInfo>> GetCurrentProjectAsync(Uri host, PostHogSecret key, CancellationToken cancellationToken = default) =>
        SendAsync(host, () => Authorized(HttpMethod.Get, host, "api/projects/@current/", key), ApiJsonContext.Default.ProjectInfo, cancellationToken);

    /// <summary><c>GET /api/projects/{id}/project_secret_api_keys/</c> (values are never listed).</summary>
    public Task<ApiResult<List<SecretApiKeyInfo>>> ListProjectSecretKeysAsync(Uri host, PostHogSecret key, int projectId, CancellationToken cancellationToken = default) =>
        SendAsync(host, () => Authorized(HttpMethod.Get, host, SecretKeysPath(projectId), key), ApiJsonContext.Default.ListSecretApiKeyInfo, cancellationToken);

    /// <summary><c>POST /api/projects/{id}/project_secret_api_keys/</c>: a new key; its value is in the answer only this once.</summary>
    public Task<ApiResult<SecretApiKeyInfo>> CreateProjectSecretKeyAsync(Uri host, PostHogSecret key, int projectId, string label, IReadOnlyList<string> scopes, CancellationToken cancellationToken = default) =>
        SendAsync(
            host,
            () => WithJson(Authorized(HttpMethod.Post, host, SecretKeysPath(projectId), key), JsonSerializer.Serialize(new SecretKeyRequestBody { Label = label, Scopes = [.. scopes] }, ApiJsonContext.Default.SecretKeyRequestBody)),
            ApiJsonContext.Default.SecretApiKeyInfo,
            cancellationToken);

    /// <summary><c>POST …/project_secret_api_keys/{keyId}/roll/</c>: a new value in place; the old one stops working at once.</summary>
    public Task<ApiResult<SecretApiKeyInfo>> RollProjectSecretKeyAsync(Uri host, PostHogSecret key, int projectId, string keyId, CancellationToken cancellationToken = default) =>
        SendAsync(host, () => Authorized(HttpMethod.Post, host, $"{SecretKeysPath(projectId)}{Uri.EscapeDataString(keyId)}/roll/", key), ApiJsonContext.Default.SecretApiKeyInfo, cancellationToken);

    /// <summary><c>DELETE …/project_secret_api_keys/{keyId}/</c>.</summary>
    public Task<ApiResult<bool>> DeleteProjectSecretKeyAsync(Uri host, PostHogSecret key, int projectId, string keyId, CancellationToken cancellationToken = default) =>
        SendAsync<bool>(host, () => Authorized(HttpMethod.Delete, host, $"{SecretKeysPath(projectId)}{Uri.EscapeDataString(keyId)}/", key), null, cancellationToken);

    /// <summary><c>PATCH /api/projects/{id}/rotate_secret_token/</c>: a new legacy secret token; the old one stays valid as backup.</summary>
    public Task<ApiResult<SecretTokenInfo>> RotateSecretTokenAsync(Uri host, PostHogSecret key, int projectId, CancellationToken cancellationToken = default) =>
        SendAsync(host, () => Authorized(HttpMethod.Patch, host, $"api/projects/{projectId}/rotate_secret_token/", key), ApiJsonContext.Default.SecretTokenInfo, cancellationToken);

    /// <summary><c>PATCH /api/projects/{id}/delete_secret_token_backup/</c>: the previous legacy token stops working.</summary>
    public Task<ApiResult<bool>> DeleteSecretTokenBackupAsync(Uri host, PostHogSecret key, int projectId, CancellationToken cancellationToken = default) =>
        SendAsync<bool>(host, () => Authorized(HttpMethod.Patch, host, $"api/projects/{projectId}/delete_secret_token_backup/", key), null, cancellationToken);

    /// <summary>Any private API call with a key: the JSON answer as a document, errors as outcomes (for the services' keyed clients).</summary>
    public Task<ApiResult<JsonElement>> SendAsync(Uri host, HttpMethod method, string path, PostHogSecret key, string? json = null, CancellationToken cancellationToken = default) =>
        SendAsync(
            host,
            () => json is null ? Authorized(method, host, path.TrimStart('/'), key) : WithJson(Authorized(method, host, path.TrimStart('/'), key), json),
            ApiJsonContext.Default.JsonElement,
            cancellationToken);

    private static string SecretKeysPath(int projectId) => $"api/projects/{projectId}/project_secret_api_keys/";

    private static HttpRequestMessage WithJson(HttpRequestMessage request, string json)
    {
        request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        return request;
    }

    private static HttpRequestMessage Authorized(HttpMethod method, Uri host, string path, PostHogSecret key)
    {
        var request = new HttpRequestMessage(method, new Uri(host, path));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key.Reveal());
        return request;
    }

    private async Task<ApiResult<T>> SendAsync<T>(Uri host, Func<HttpRequestMessage> request, JsonTypeInfo<T>? type, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            response = await _pipeline.ExecuteAsync(
                async token => await _http.SendAsync(request(), HttpCompletionOption.ResponseContentRead, token).ConfigureAwait(false),
                cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or TimeoutRejectedException || (e is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            var why = e is TimeoutRejectedException ? $"no answer within {_options.AttemptTimeout.TotalSeconds:0.#} s" : e.Message;
            return new ApiResult<T>(ApiOutcome.Unreachable, null, $"{host.GetLeftPart(UriPartial.Authority)} could not be reached after {_options.MaxRetries + 1} attempts: {why}", default, host);
        }

        using (response)
        {
            var status = (int)response.StatusCode;
            var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            if (response.IsSuccessStatusCode)
            {
                try
                {
                    var value = type is null ? default : JsonSerializer.Deserialize(text, type);
                    return new ApiResult<T>(ApiOutcome.Ok, status, null, value, host);
                }
                catch (JsonException)
                {
                    return new ApiResult<T>(ApiOutcome.Failed, status, $"{host.GetLeftPart(UriPartial.Authority)} answered {status} with a body that is not PostHog's", default, host);
                }
            }

            var detail = ErrorDetail(text) ?? $"HTTP {status}";
            var outcome = response.StatusCode switch
            {
                HttpStatusCode.Unauthorized => ApiOutcome.InvalidKey,
                HttpStatusCode.Forbidden when ScopePattern.Match(detail) is { Success: true } => ApiOutcome.MissingScope,
                HttpStatusCode.Forbidden when detail.Contains("does not have access to the requested project", StringComparison.Ordinal) => ApiOutcome.NoProjectAccess,
                HttpStatusCode.Forbidden => ApiOutcome.Forbidden,
                HttpStatusCode.NotFound => ApiOutcome.NotFound,
                _ when IsTransient(response) => ApiOutcome.Unreachable,
                _ => ApiOutcome.Failed,
            };
            var scope = outcome == ApiOutcome.MissingScope ? ScopePattern.Match(detail).Groups[1].Value : null;
            if (outcome == ApiOutcome.Unreachable)
            {
                detail = $"{host.GetLeftPart(UriPartial.Authority)} kept answering {status} ({detail})";
            }

            return new ApiResult<T>(outcome, status, detail, default, host) { MissingScope = scope };
        }
    }

    private static string? ErrorDetail(string body)
    {
        try
        {
            return JsonSerializer.Deserialize(body, ApiJsonContext.Default.PostHogError)?.Detail;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static bool IsTransient(HttpResponseMessage response) => (int)response.StatusCode is 429 or >= 500;

    private static TimeSpan? RetryAfter(HttpResponseMessage response, TimeProvider clock)
    {
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta)
        {
            return delta;
        }

        return header?.Date is { } date ? date - clock.GetUtcNow() : null;
    }
}
