namespace HogGuard.Emulator;

/// <summary>
/// <c>/flags/definitions</c> for local evaluation: the project's <c>phc_</c> token in the query and a
/// <c>phx_</c> key with <c>feature_flag:read</c> or a <c>phs_</c> key of that project as Bearer.
/// </summary>
internal static class FlagsEndpoints
{
    private const string ETag = "\"emulator-flags-v1\"";

    public static void Map(WebApplication app, EmulatorState state)
    {
        // Remote evaluation: the public phc_ token in the body; unknown tokens get 401 here.
        app.MapPost("/flags", (Func<HttpContext, Task<IResult>>)(async context =>
        {
            try
            {
                using var body = await System.Text.Json.JsonDocument.ParseAsync(context.Request.Body);
                var token = body.RootElement.ValueKind == System.Text.Json.JsonValueKind.Object && body.RootElement.TryGetProperty("api_key", out var k) ? k.GetString()
                    : body.RootElement.TryGetProperty("token", out var t) ? t.GetString() : null;
                if (token is null || state.FindProjectByToken(token) is null)
                {
                    return Errors.Json(401, new("authentication_error", "invalid_api_key", "Project API key invalid. You can find your project API key in PostHog project settings."));
                }

                return Results.Json(new RemoteFlagsBody([], false), EmulatorJson.Relaxed.RemoteFlagsBody);
            }
            catch (System.Text.Json.JsonException)
            {
                return Errors.BadRequest("Malformed request data: invalid JSON.");
            }
        }));

        // As the flags service answers it (rust/feature-flags/): a phs_ of the token's project, or a
        // phx_ with feature_flag:read whose user may see the token's project. Its errors differ from
        // Django's: a scope refusal names both flag scopes, a token/team mismatch is a 401, a phx_
        // without ?token= is a 400, an empty cache a 503. A phs_ without ?token= is 200 today and
        // 400 in older versions (seed flags_service: older).
        app.MapGet("/flags/definitions", (HttpContext context) =>
        {
            var bearer = Caller.BearerToken(context.Request.Headers.Authorization);
            if (string.IsNullOrEmpty(bearer))
            {
                return Errors.NotAuthenticated();
            }

            var tokenText = context.Request.Query["token"].FirstOrDefault();
            var project = tokenText is null ? null : state.FindProjectByToken(tokenText);
            if (tokenText is not null && project is null)
            {
                return Errors.Json(401, new("authentication_error", "authentication_failed", "The provided API key is invalid or has expired. Please check your API key and try again."));
            }

            if (bearer.StartsWith("phs_", StringComparison.Ordinal))
            {
                if (state.FindSecretKey(bearer) is not { } secret)
                {
                    return Errors.InvalidSecretKey();
                }

                if (project is null && state.OlderFlagsService)
                {
                    return Errors.BadRequest("The 'token' query parameter is required: the project API key this secret key belongs to.");
                }

                project ??= secret.Project;
                if (project.Id != secret.Project.Id)
                {
                    return Errors.InvalidSecretKey();
                }
            }
            else
            {
                if (project is null)
                {
                    return Errors.BadRequest("The 'token' query parameter is required with a personal API key: the project API key of the project to read.");
                }

                var (caller, error) = Caller.Authenticate(context, state);
                if (caller is null)
                {
                    return error!;
                }

                if (!caller.Has("feature_flag:read"))
                {
                    return Errors.Json(403, new("authentication_error", "permission_denied", "Personal API key lacks required scopes (feature_flag:read or feature_flag:write)."));
                }

                if (!caller.CanAccessProject(project.Id))
                {
                    return Errors.Json(401, new("authentication_error", "authentication_failed", "Personal API key does not have access to this project."));
                }
            }

            if (project.FlagsCacheEmpty)
            {
                return Errors.Json(503, new("server_error", "cache_miss", "Cache miss - data not found in cache"));
            }

            if (context.Request.Headers.IfNoneMatch.ToString() == ETag)
            {
                return Results.StatusCode(304);
            }

            context.Response.Headers.ETag = ETag;
            return Results.Json(new FlagDefinitionsBody([], [], []), EmulatorJson.Relaxed.FlagDefinitionsBody);
        });
    }
}
