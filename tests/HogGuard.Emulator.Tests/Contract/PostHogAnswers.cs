namespace HogGuard.Emulator.Tests.Contract;

/// <summary>An answer as PostHog's code produces it: status, content type, body and headers.</summary>
/// <param name="Source">The file of PostHog/posthog that fixes it.</param>
internal sealed record PostHogAnswer(string Source, int Status, string ContentType, string Body, string? Location = null)
{
    public const string Json = "application/json";

    public HttpResponseMessage ToResponse()
    {
        var response = new HttpResponseMessage((System.Net.HttpStatusCode)Status)
        {
            Content = new StringContent(Body, System.Text.Encoding.UTF8, ContentType),
        };
        if (Location is not null)
        {
            response.Headers.Location = new Uri(Location, UriKind.RelativeOrAbsolute);
        }

        return response;
    }
}

/// <summary>
/// PostHog's answers that HogGuard depends on, written down from PostHog's source. The emulator
/// contract tests hold the emulator to them over loopback; the client contract tests feed them to
/// <c>PostHogClient</c> through a plain handler, so a client that misreads PostHog fails without
/// the emulator. Where PostHog changed over time, each version has its own answer.
/// </summary>
internal static class PostHogAnswers
{
    private static string Error(string type, string code, string detail, string? attr = null) =>
        System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, string?> { ["type"] = type, ["code"] = code, ["detail"] = detail, ["attr"] = attr });

    /// <summary>posthog/permissions.py, APIScopePermission.</summary>
    public static readonly PostHogAnswer MissingScope = new("posthog/permissions.py", 403, PostHogAnswer.Json,
        Error("authentication_error", "permission_denied", "API key missing required scope 'insight:read'"));

    /// <summary>posthog/auth.py, PersonalAPIKeyAuthentication.</summary>
    public static readonly PostHogAnswer InvalidPersonalKey = new("posthog/auth.py", 401, PostHogAnswer.Json,
        Error("authentication_error", "authentication_failed", "Personal API key found in request Authorization header is invalid."));

    /// <summary>posthog/permissions.py: a custom action without required_scopes refuses every personal key, even '*'.</summary>
    public static readonly PostHogAnswer PersonalKeyNotSupported = new("posthog/permissions.py", 403, PostHogAnswer.Json,
        Error("authentication_error", "permission_denied", "This action does not support Personal API Key access"));

    /// <summary>posthog/permissions.py, check_team_and_org_permissions.</summary>
    public static readonly PostHogAnswer NoProjectAccess = new("posthog/permissions.py", 403, PostHogAnswer.Json,
        Error("authentication_error", "permission_denied", "API key does not have access to the requested project: ID 1."));

    /// <summary>posthog/permissions.py, TeamMemberStrictManagementPermission: members read, admins change.</summary>
    public static readonly PostHogAnswer NotProjectAdmin = new("posthog/permissions.py", 403, PostHogAnswer.Json,
        Error("authentication_error", "permission_denied", "You don't have sufficient permissions in the project."));

    /// <summary>posthog/api/project_secret_api_key.py (today: 50; older versions: 10, same wording).</summary>
    public static readonly PostHogAnswer SecretKeyLimit = new("posthog/api/project_secret_api_key.py", 400, PostHogAnswer.Json,
        Error("validation_error", "invalid_input", "You can only have 50 project secret API keys. Remove an existing key before creating a new one."));

    public static readonly PostHogAnswer SecretKeyLimitOlder = new("posthog/api/project_secret_api_key.py", 400, PostHogAnswer.Json,
        Error("validation_error", "invalid_input", "You can only have 10 project secret API keys. Remove an existing key before creating a new one."));

    /// <summary>rust/feature-flags/src/api/errors.rs: the flags service names both flag scopes.</summary>
    public static readonly PostHogAnswer FlagsMissingScope = new("rust/feature-flags/src/api/errors.rs", 403, PostHogAnswer.Json,
        Error("authentication_error", "permission_denied", "Personal API key lacks required scopes (feature_flag:read or feature_flag:write)."));

    /// <summary>rust/feature-flags/src/api/errors.rs, SecretApiTokenInvalid.</summary>
    public static readonly PostHogAnswer FlagsInvalidSecret = new("rust/feature-flags/src/api/errors.rs", 401, PostHogAnswer.Json,
        Error("authentication_error", "authentication_failed", "Secret API token is invalid."));

    /// <summary>rust/feature-flags/: a successful local-evaluation answer is an object with a 'flags' array.</summary>
    public static readonly PostHogAnswer FlagDefinitions = new("rust/feature-flags/", 200, PostHogAnswer.Json,
        """{"flags":[],"group_type_mapping":{},"cohorts":{}}""");

    /// <summary>rust/feature-flags/: an older version wants ?token= with a phs_ key too (today 200); a phx_ always needs it.</summary>
    public static readonly PostHogAnswer FlagsTokenRequired = new("rust/feature-flags/", 400, PostHogAnswer.Json,
        Error("validation_error", "invalid_input", "The 'token' query parameter is required."));

    /// <summary>rust/feature-flags/src/api/errors.rs: cache_miss is a 503.</summary>
    public static readonly PostHogAnswer FlagsCacheEmpty = new("rust/feature-flags/src/api/errors.rs", 503, PostHogAnswer.Json,
        Error("server_error", "cache_miss", "Cache miss - data not found in cache"));

    /// <summary>rust/capture/src/api.rs: CaptureResponse { status: Ok }.</summary>
    public static readonly PostHogAnswer CaptureOk = new("rust/capture/src/api.rs", 200, PostHogAnswer.Json, """{"status":"Ok"}""");

    /// <summary>rust/capture/src/api.rs: one event without a distinct id fails the whole request.</summary>
    public static readonly PostHogAnswer CaptureMissingDistinctId = new("rust/capture/src/api.rs", 400, "text/plain", "No distinct_id in request");

    /// <summary>posthog/urls.py: an unrouted path on the app host sends the browser to /login.</summary>
    public static readonly PostHogAnswer AppHostRedirect = new("posthog/urls.py", 302, "text/html", string.Empty, "/login?next=/batch/");

    /// <summary>posthog/urls.py: the login page itself, a 200 with HTML.</summary>
    public static readonly PostHogAnswer LoginPage = new("posthog/urls.py", 200, "text/html",
        "<!DOCTYPE html><html lang=\"en\"><head><title>PostHog</title></head><body><div id=\"root\"></div></body></html>");

    /// <summary>posthog/settings/web.py: LimitOffsetPagination, PAGE_SIZE 100 (pages of a project's secret keys).</summary>
    public static PostHogAnswer SecretKeyPage(string host, int count, int offset, int size)
    {
        var results = Enumerable.Range(offset, size).Select(i => new Dictionary<string, object?>
        {
            ["id"] = $"k{i}",
            ["label"] = $"key {i}",
            ["value"] = null,
            ["mask_value"] = $"phs_...{i:0000}",
            ["created_at"] = "2026-01-01T00:00:00Z",
            ["created_by"] = null,
            ["last_used_at"] = null,
            ["last_rolled_at"] = null,
            ["scopes"] = new[] { "feature_flag:read" },
        }).ToList();
        var next = offset + size < count ? $"{host}api/projects/1/project_secret_api_keys/?limit=100&offset={offset + size}" : null;
        var previous = offset > 0 ? $"{host}api/projects/1/project_secret_api_keys/?limit=100" : null;
        var body = System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, object?> { ["count"] = count, ["next"] = next, ["previous"] = previous, ["results"] = results });
        return new PostHogAnswer("posthog/settings/web.py", 200, PostHogAnswer.Json, body);
    }

    /// <summary>posthog/auth.py: no credentials at all.</summary>
    public static readonly PostHogAnswer NotAuthenticated = new("posthog/auth.py", 401, PostHogAnswer.Json,
        Error("authentication_error", "not_authenticated", "Authentication credentials were not provided."));

    /// <summary>posthog/api/project_secret_api_key.py: validate_scopes.</summary>
    public static readonly PostHogAnswer WildcardSecretKey = new("posthog/api/project_secret_api_key.py", 400, PostHogAnswer.Json,
        Error("validation_error", "invalid_input", "Wildcard scope '*' is not allowed for project API keys. Please specify explicit scopes.", "scopes"));

    /// <summary>posthog/api/personal_api_key.py: MAX_API_KEYS_PER_USER (10).</summary>
    public static readonly PostHogAnswer PersonalKeyLimit = new("posthog/api/personal_api_key.py", 400, PostHogAnswer.Json,
        Error("validation_error", "invalid_input", "You can only have 10 personal API keys. Remove an existing key before creating a new one."));

    /// <summary>posthog/api/project_secret_api_key.py: the unique_team_label constraint.</summary>
    public static readonly PostHogAnswer DuplicateLabel = new("posthog/api/project_secret_api_key.py", 400, PostHogAnswer.Json,
        Error("validation_error", "invalid_input", "Project secret API key with label 'flags' already exists."));
}
