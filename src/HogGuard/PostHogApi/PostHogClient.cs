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
    // Django: "API key missing required scope 'insight:read'" (posthog/permissions.py).
    // Flags service: "Personal API key lacks required scopes (feature_flag:read or feature_flag:write)."
    // (rust/feature-flags/src/api/errors.rs): the first scope named is the one to ask for.
    private static readonly System.Text.RegularExpressions.Regex ScopePattern =
        new("missing required scope '([^']+)'|lacks required scopes? \\(([a-z_]+:(?:read|write))", System.Text.RegularExpressions.RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    /// <summary>The most pages a list is followed through (100 items each) before HogGuard stops as a precaution.</summary>
    private const int MaxPages = 1000;

    private readonly HttpClient _http;
    private readonly PostHogClientOptions _options;
    private readonly ResiliencePipeline<HttpResponseMessage> _pipeline;

    public PostHogClient(HttpClient http, PostHogClientOptions? options = null, TimeProvider? time = null)
    {
        _http = http ?? throw new ArgumentNullException(nameof(http));
        _options = options ?? new PostHogClientOptions();
        _options.Validate();
        var clock = time ?? TimeProvider.System;
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = clock };
        if (_options.MaxRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
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
            });
        }

        _pipeline = builder.AddTimeout(_options.AttemptTimeout).Build();
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
        var path = projectToken is null ? "flags/definitions" : $"flags/definitions?token={Uri.EscapeDataString(projectToken)}";
        var result = await SendAsync<bool>(ingestionHost, () => Authorized(HttpMethod.Get, ingestionHost, path, key), null, cancellationToken, IsFlagDefinitions, "a JSON object with a 'flags' array").ConfigureAwait(false);
        return result with { Value = result.IsOk };
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
            IsCaptureAnswer,
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

            if (!TryReadPage(answer.Value, item, items, out next))
            {
                return new ApiResult<List<T>>(ApiOutcome.Failed, answer.Status, $"{PostHogHosts.Name(host)} answered {path} with a body that is not a PostHog list", null, host);
            }
        }

        return new ApiResult<List<T>>(ApiOutcome.Ok, 200, null, items, host);
    }

    private static bool TryReadPage<T>(JsonElement root, JsonTypeInfo<T> item, List<T> items, out string? next)
    {
        next = null;
        JsonElement results;
        if (root.ValueKind == JsonValueKind.Array)
        {
            results = root;
        }
        else if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("results", out results) && results.ValueKind == JsonValueKind.Array)
        {
            if (root.TryGetProperty("next", out var link) && link.ValueKind == JsonValueKind.String && link.GetString() is { Length: > 0 } url)
            {
                if (!Uri.TryCreate(url, UriKind.RelativeOrAbsolute, out var uri))
                {
                    return false;
                }

                next = (uri.IsAbsoluteUri ? uri.PathAndQuery : url).TrimStart('/');
            }
        }
        else
        {
            return false;
        }

        try
        {
            foreach (var element in results.EnumerateArray())
            {
                if (element.Deserialize(item) is { } value)
                {
                    items.Add(value);
                }
            }
        }
        catch (JsonException)
        {
            return false;
        }

        return true;
    }

    private static bool IsFlagDefinitions(int status, string body) =>
        status == 200 && TryParseObject(body, out var root) && root.TryGetProperty("flags", out var flags) && flags.ValueKind == JsonValueKind.Array;

    private static bool IsCaptureAnswer(int status, string body) =>
        status == 204 || (TryParseObject(body, out var root) && root.TryGetProperty("status", out _));

    private static bool TryParseObject(string body, out JsonElement root)
    {
        root = default;
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return false;
            }

            root = document.RootElement.Clone();
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private async Task<ApiResult<T>> SendAsync<T>(Uri host, Func<HttpRequestMessage> request, JsonTypeInfo<T>? type, CancellationToken cancellationToken, Func<int, string, bool>? proof = null, string? expected = null)
    {
        // Only the ingestion endpoints (capture, flags) are proven by their body's shape here; the
        // API's answers are proven by deserializing into the type HogGuard expects.
        HttpResponseMessage response;
        try
        {
            response = await _pipeline.ExecuteAsync(
                async token => await BufferedAsync(await _http.SendAsync(request(), HttpCompletionOption.ResponseHeadersRead, token).ConfigureAwait(false), token).ConfigureAwait(false),
                cancellationToken).ConfigureAwait(false);
        }
        catch (AnswerTooLargeException e)
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
                var location = response.Headers.Location is { } target ? WithoutQuery(target.OriginalString) : "no Location";
                return new ApiResult<T>(ApiOutcome.Failed, status, $"{PostHogHosts.Name(host)} answered {status} redirecting to {Shorten(location)}; HogGuard never follows redirects. Check the host: the private API is on the app host (us.posthog.com), capture and flags on the ingestion host (us.i.posthog.com)", default, host);
            }

            if (response.IsSuccessStatusCode)
            {
                if (proof is not null)
                {
                    return proof(status, text)
                        ? new ApiResult<T>(ApiOutcome.Ok, status, null, default, host)
                        : new ApiResult<T>(ApiOutcome.Failed, status, $"{PostHogHosts.Name(host)} answered {status} with {Describe(response, text)}, not {expected}; check that this is PostHog's ingestion host (e.g. us.i.posthog.com for us.posthog.com)", default, host);
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
                    return new ApiResult<T>(ApiOutcome.Failed, status, $"{PostHogHosts.Name(host)} answered {status} with {Describe(response, text)}, not PostHog's JSON", default, host);
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
            var scope = outcome == ApiOutcome.MissingScope ? ScopeOf(ScopePattern.Match(detail)) : null;
            if (outcome == ApiOutcome.Unreachable)
            {
                detail = $"{host.GetLeftPart(UriPartial.Authority)} kept answering {status} ({detail})";
            }

            return new ApiResult<T>(outcome, status, detail, default, host) { MissingScope = scope };
        }
    }

    private static string ScopeOf(System.Text.RegularExpressions.Match match) =>
        match.Groups[1].Success ? match.Groups[1].Value : match.Groups[2].Value;

    /// <summary>PostHog's <c>detail</c>; the flags service answers some errors in plain text, which is shown shortened.</summary>
    /// <summary>The most of an answer that is read (8 MB): PostHog's answers to these calls are kilobytes.</summary>
    private const int MaxAnswerBytes = 8 * 1024 * 1024;

    private sealed class AnswerTooLargeException(int limit) : Exception($"the answer is over {limit} bytes")
    {
        public int Limit => limit;
    }

    /// <summary>Reads the body (inside the attempt's timeout), at most <see cref="MaxAnswerBytes"/>; a larger one is refused, not buffered.</summary>
    private static async Task<HttpResponseMessage> BufferedAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            if (response.Content.Headers.ContentLength > MaxAnswerBytes)
            {
                throw new AnswerTooLargeException(MaxAnswerBytes);
            }

            using var buffer = new MemoryStream();
            var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (body.ConfigureAwait(false))
            {
                var chunk = new byte[16 * 1024];
                int read;
                while ((read = await body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    if (buffer.Length + read > MaxAnswerBytes)
                    {
                        throw new AnswerTooLargeException(MaxAnswerBytes);
                    }

                    buffer.Write(chunk, 0, read);
                }
            }

            var content = new ByteArrayContent(buffer.ToArray());
            foreach (var header in response.Content.Headers)
            {
                content.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }

            response.Content.Dispose();
            response.Content = content;
            return response;
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    private static string? ErrorDetail(string body)
    {
        try
        {
            if (JsonSerializer.Deserialize(body, ApiJsonContext.Default.PostHogError)?.Detail is { } detail)
            {
                return Shorten(detail);
            }
        }
        catch (JsonException)
        {
        }

        var text = body.Trim();
        return text.Length == 0 || text.StartsWith('<') ? null : Shorten(text);
    }

    private static string Describe(HttpResponseMessage response, string body)
    {
        var type = response.Content.Headers.ContentType?.MediaType;
        var trimmed = body.TrimStart();
        return trimmed.Length == 0 ? "an empty body"
            : trimmed.StartsWith('<') || type == "text/html" ? "an HTML page"
            : $"a body of type {type ?? "unknown"}";
    }

    private static string WithoutQuery(string location)
    {
        var query = location.IndexOfAny(['?', '#']);
        return query < 0 ? location : location[..query] + "?(query not shown)";
    }

    /// <summary>
    /// Text from a host, made safe to print: one line, no control characters (an ANSI escape or a
    /// carriage return in an error body could rewrite the user's terminal), at most 200 characters.
    /// </summary>
    private static string Shorten(string text)
    {
        var line = string.Create(text.Length, text, static (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                span[i] = char.IsControl(source[i]) || source[i] is '\u2028' or '\u2029' ? ' ' : source[i];
            }
        });
        return line.Length <= 200 ? line : line[..200] + "...";
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
