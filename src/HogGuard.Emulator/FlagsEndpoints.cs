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

        app.MapGet("/flags/definitions", (HttpContext context) =>
        {
            var bearer = Caller.BearerToken(context.Request.Headers.Authorization);
            if (string.IsNullOrEmpty(bearer))
            {
                return Errors.NotAuthenticated();
            }

            var project = context.Request.Query["token"].FirstOrDefault() is { } token ? state.FindProjectByToken(token) : null;
            if (bearer.StartsWith("phs_", StringComparison.Ordinal))
            {
                if (state.FindSecretKey(bearer) is not { } secret)
                {
                    return Errors.InvalidSecretKey();
                }

                project ??= secret.Project;
                if (project.Id != secret.Project.Id)
                {
                    return Errors.NoProjectAccess(project.Id);
                }
            }
            else
            {
                var (caller, error) = Caller.Authenticate(context, state);
                if (caller is null)
                {
                    return error!;
                }

                if (!caller.Has("feature_flag:read"))
                {
                    return Errors.MissingScope("feature_flag:read");
                }

                project ??= state.Projects[0];
                if (!caller.CanAccessProject(project.Id))
                {
                    return Errors.NoProjectAccess(project.Id);
                }
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
