using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using HogGuard.Keys;
using Polly;
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
    // Django: "API key missing required scope 'insight:read'" (posthog/permissions.py).
    // Flags service: "Personal API key lacks required scopes (feature_flag:read or feature_flag:write)."
    // (rust/feature-flags/src/api/errors.rs): the first scope named is the one to ask for.

    /// <summary>The most pages a list is followed through (100 items each) before HogGuard stops as a precaution.</summary>
    private const int MaxPages = 1000;

    private readonly HttpClient _http;
    private readonly PostHogClientOptions _options;
    private readonly ResiliencePipeline<HttpResponseMessage> _pipeline;

    /// <summary>A client over <paramref name="http"/> (which must not follow redirects), with <paramref name="options"/> for timeouts and retries.</summary>
    public PostHogClient(HttpClient http, PostHogClientOptions? options = null, TimeProvider? time = null)
    {
        _http = http ?? throw new ArgumentNullException(nameof(http));
        _options = options ?? new PostHogClientOptions();
        _options.Validate();
        var clock = time ?? TimeProvider.System;

        // One attempt here when the HttpClient's own handler chain applies the policy (AddResilienceHandler with AddPostHogStrategies).
        _pipeline = _options.ResilienceInHttpClient
            ? ResiliencePipeline<HttpResponseMessage>.Empty
            : new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = clock }.AddPostHogStrategies(_options, clock).Build();
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
            if (answer.Outcome.ProvesKeyLive())
            {
                return answer;
            }

            if (answer.Outcome == ApiOutcome.Unreachable)
            {
                unreachable ??= answer;
            }
        }

        return unreachable;
    }

    /// <summary>
    /// <c>GET /flags/definitions</c> on the ingestion host with a secret or personal key (and the
    /// project token when known): works only for a live key. Success is a JSON object with a
    /// <c>flags</c> array; any other 2xx body (a login page, an empty answer) is a failure.
    /// </summary>
    public async Task<ApiResult<bool>> CheckFlagDefinitionsAsync(Uri ingestionHost, PostHogSecret key, string? projectToken = null, CancellationToken cancellationToken = default)
    {
        var result = await GetFlagDefinitionsAsync(ingestionHost, key, projectToken, cancellationToken).ConfigureAwait(false);
        return new ApiResult<bool>(result.Outcome, result.Status, result.Detail, result.IsOk, result.Host) { MissingScope = result.MissingScope };
    }

    /// <summary>The flag definitions for local evaluation (<c>GET /flags/definitions</c>), as <see cref="CheckFlagDefinitionsAsync"/> asks for them.</summary>
    public Task<ApiResult<JsonElement>> GetFlagDefinitionsAsync(Uri ingestionHost, PostHogSecret key, string? projectToken = null, CancellationToken cancellationToken = default)
    {
        var path = projectToken is null ? "flags/definitions" : $"flags/definitions?token={Uri.EscapeDataString(projectToken)}";
        return SendAsync(ingestionHost, () => Authorized(HttpMethod.Get, ingestionHost, path, key), ApiJsonContext.Default.JsonElement, cancellationToken, PostHogAnswers.IsFlagDefinitions, "a JSON object with a 'flags' array");
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

    /// <summary>
    /// <c>POST /batch/</c> on the ingestion host with a prepared body (the project token travels
    /// inside it). Success is 204, or 2xx with a JSON object holding <c>status</c>
    /// (<c>rust/capture/src/api.rs</c>); anything else is a failure, so nothing counts as sent on a login page.
    /// </summary>
    public Task<ApiResult<bool>> CaptureBatchAsync(Uri ingestionHost, ReadOnlyMemory<byte> body, CancellationToken cancellationToken = default) =>
        SendAsync<bool>(
            ingestionHost,
            () => new HttpRequestMessage(HttpMethod.Post, new Uri(ingestionHost, "batch/")) { Content = new ReadOnlyMemoryContent(body) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } } },
            null,
            cancellationToken,
            PostHogAnswers.IsCaptureAnswer,
            "204 or a JSON object with a 'status' field");

    /// <summary>
    /// <c>GET /api/projects/{id}/project_secret_api_keys/</c>, every page (values are never listed).
    /// PostHog answers in pages of <c>{"count","next","previous","results"}</c>
    /// (<c>posthog/settings/web.py</c>); a bare array, as older or other servers may answer, is accepted too.
    /// </summary>
    public Task<ApiResult<List<SecretApiKeyInfo>>> ListProjectSecretKeysAsync(Uri host, PostHogSecret key, int projectId, CancellationToken cancellationToken = default) =>
        ListAllAsync(host, key, SecretKeysPath(projectId), ApiJsonContext.Default.SecretApiKeyInfo, cancellationToken);

    /// <summary><c>GET /api/projects/</c>, every page: the projects the key's user can see (needs <c>project:read</c>).</summary>
    public Task<ApiResult<List<ProjectInfo>>> ListProjectsAsync(Uri host, PostHogSecret key, CancellationToken cancellationToken = default) =>
        ListAllAsync(host, key, "api/projects/", ApiJsonContext.Default.ProjectInfo, cancellationToken);

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

    /// <summary>
    /// Follows a paged list to its end. <c>next</c> is an absolute URL; only its path and query are
    /// used, always against <paramref name="host"/>, so a key is never sent to a host the user did not name.
    /// </summary>
    private async Task<ApiResult<List<T>>> ListAllAsync<T>(Uri host, PostHogSecret key, string path, JsonTypeInfo<T> item, CancellationToken cancellationToken)
    {
        var items = new List<T>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        string? next = path + "?limit=100";
        for (var page = 0; next is not null; page++)
        {
            if (page >= MaxPages || !seen.Add(next))
            {
                return new ApiResult<List<T>>(ApiOutcome.Failed, null, $"{PostHogHosts.Name(host)} kept answering further pages of {path} (stopped after {page}); report this to PostHog", null, host);
            }

            var relative = next;
            var answer = await SendAsync(host, () => Authorized(HttpMethod.Get, host, relative, key), ApiJsonContext.Default.JsonElement, cancellationToken).ConfigureAwait(false);
            if (!answer.IsOk)
            {
                return new ApiResult<List<T>>(answer.Outcome, answer.Status, answer.Detail, null, host) { MissingScope = answer.MissingScope };
            }

            if (!PostHogAnswers.TryReadPage(answer.Value, item, items, out next))
            {
                return new ApiResult<List<T>>(ApiOutcome.Failed, answer.Status, $"{PostHogHosts.Name(host)} answered {path} with a body that is not a PostHog list", null, host);
            }
        }

        return new ApiResult<List<T>>(ApiOutcome.Ok, 200, null, items, host);
    }

    private async Task<ApiResult<T>> SendAsync<T>(Uri host, Func<HttpRequestMessage> request, JsonTypeInfo<T>? type, CancellationToken cancellationToken, Func<int, string, bool>? proof = null, string? expected = null)
    {
        // One activity and one measurement per logical call, retries included; the path and the key stay out of both.
        using var activity = Telemetry.HogGuardTelemetry.Source.StartActivity("posthog.request", System.Diagnostics.ActivityKind.Client);
        activity?.SetTag("server.address", host.Host);
        activity?.SetTag("server.port", host.Port);
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var result = await SendOnceAsync(host, request, type, cancellationToken, proof, expected).ConfigureAwait(false);
        var outcome = Telemetry.HogGuardTelemetry.TagValue(result.Outcome.ToString());
        var tags = new System.Diagnostics.TagList { { "server.address", host.Host }, { "server.port", host.Port }, { "hogguard.posthog.outcome", outcome } };
        if (result.Status is { } status)
        {
            tags.Add("http.response.status_code", status);
            activity?.SetTag("http.response.status_code", status);
        }

        Telemetry.HogGuardTelemetry.PostHogRequests.Add(1, tags);
        Telemetry.HogGuardTelemetry.PostHogRequestDuration.Record(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds, tags);
        activity?.SetTag("hogguard.posthog.outcome", outcome);
        if (!result.IsOk)
        {
            activity?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, outcome);
        }

        return result;
    }

    private async Task<ApiResult<T>> SendOnceAsync<T>(Uri host, Func<HttpRequestMessage> request, JsonTypeInfo<T>? type, CancellationToken cancellationToken, Func<int, string, bool>? proof, string? expected)
    {
        // Only the ingestion endpoints (capture, flags) are proven by their body's shape here; the
        // API's answers are proven by deserializing into the type HogGuard expects.
        HttpResponseMessage response;
        try
        {
            response = await _pipeline.ExecuteAsync(
                async token => await PostHogAnswers.BufferedAsync(await _http.SendAsync(request(), HttpCompletionOption.ResponseHeadersRead, token).ConfigureAwait(false), token).ConfigureAwait(false),
                cancellationToken).ConfigureAwait(false);
        }
        catch (PostHogAnswers.AnswerTooLargeException e)
        {
            return new ApiResult<T>(ApiOutcome.Failed, null, $"{PostHogHosts.Name(host)} answered with more than {e.Limit / (1024 * 1024)} MB, far more than PostHog ever sends for this call; check the host", default, host);
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
            if (status is >= 300 and < 400)
            {
                // Never followed: an unrouted path on PostHog's app host redirects to its login page.
                // The Location's query is not shown: a login page's ?next= repeats our request, token included.
                var location = response.Headers.Location is { } target ? PostHogAnswers.WithoutQuery(target.OriginalString) : "no Location";
                return new ApiResult<T>(ApiOutcome.Failed, status, $"{PostHogHosts.Name(host)} answered {status} redirecting to {PostHogAnswers.Shorten(location)}; HogGuard never follows redirects. Check the host: the private API is on the app host (us.posthog.com), capture and flags on the ingestion host (us.i.posthog.com)", default, host);
            }

            if (response.IsSuccessStatusCode)
            {
                if (proof is not null)
                {
                    return proof(status, text)
                        ? new ApiResult<T>(ApiOutcome.Ok, status, null, type is null ? default : JsonSerializer.Deserialize(text, type), host)
                        : new ApiResult<T>(ApiOutcome.Failed, status, $"{PostHogHosts.Name(host)} answered {status} with {PostHogAnswers.Describe(response, text)}, not {expected}; check that this is PostHog's ingestion host (e.g. us.i.posthog.com for us.posthog.com)", default, host);
                }

                try
                {
                    var value = type is null ? default : JsonSerializer.Deserialize(text, type);
                    if (type is not null && value is null)
                    {
                        throw new JsonException("null");
                    }

                    return new ApiResult<T>(ApiOutcome.Ok, status, null, value, host);
                }
                catch (JsonException)
                {
                    return new ApiResult<T>(ApiOutcome.Failed, status, $"{PostHogHosts.Name(host)} answered {status} with {PostHogAnswers.Describe(response, text)}, not PostHog's JSON", default, host);
                }
            }

            var detail = PostHogAnswers.ErrorDetail(text) ?? $"HTTP {status}";
            var outcome = response.StatusCode switch
            {
                HttpStatusCode.Unauthorized => ApiOutcome.InvalidKey,
                HttpStatusCode.Forbidden when PostHogAnswers.ScopePattern.Match(detail) is { Success: true } => ApiOutcome.MissingScope,
                HttpStatusCode.Forbidden when detail.Contains("does not have access to the requested project", StringComparison.Ordinal) => ApiOutcome.NoProjectAccess,
                HttpStatusCode.Forbidden => ApiOutcome.Forbidden,
                HttpStatusCode.NotFound => ApiOutcome.NotFound,
                _ when PostHogAnswers.IsTransient(response) => ApiOutcome.Unreachable,
                _ => ApiOutcome.Failed,
            };
            var scope = outcome == ApiOutcome.MissingScope ? PostHogAnswers.ScopeOf(PostHogAnswers.ScopePattern.Match(detail)) : null;
            if (outcome == ApiOutcome.Unreachable)
            {
                detail = $"{host.GetLeftPart(UriPartial.Authority)} kept answering {status} ({detail})";
            }

            return new ApiResult<T>(outcome, status, detail, default, host) { MissingScope = scope };
        }
    }
}
