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
