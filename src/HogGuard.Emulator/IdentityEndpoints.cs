namespace HogGuard.Emulator;

/// <summary>Personal API keys, <c>/api/users/@me/</c>, <c>/api/projects/@current/</c> and leaked-key revocation.</summary>
internal static class IdentityEndpoints
{
    public static void Map(WebApplication app, EmulatorState state)
    {
        app.MapGet("/api/personal_api_keys/@current/", (HttpContext context) =>
        {
            var (caller, error) = Caller.Authenticate(context, state);
            if (caller is null)
            {
                return error!;
            }

            return caller.Key is { } key && caller.User.PersonalApiKeys.Contains(key)
                ? Results.Json(ToBody(key) with { LastUsedAt = state.CurrentShowsPreviousUse ? caller.PreviousUse : key.LastUsedAt }, EmulatorJson.Relaxed.PersonalKeyBody)
                : Errors.BadRequest("@current needs a personal API key.");
        });

        app.MapGet("/api/personal_api_keys/", (HttpContext context) =>
        {
            var (caller, error) = Caller.Authenticate(context, state);
            if (caller is null)
            {
                return error!;
            }

            // A personal API key may only retrieve itself.
            return caller.IsSession
                ? Results.Json(caller.User.PersonalApiKeys.Select(ToBody).ToList(), EmulatorJson.Relaxed.ListPersonalKeyBody)
                : Errors.PersonalKeyNotSupported();
        });

        app.MapGet("/api/users/@me/", (HttpContext context) =>
        {
            var (caller, error) = Caller.Authenticate(context, state);
            if (caller is null)
            {
                return error!;
            }

            if (!caller.Has("user:read"))
            {
                return Errors.MissingScope("user:read");
            }

            // /api/users/@me/ is exempt from project scoping (posthog/permissions.py).
            var project = CurrentProject(caller, state);
            var organization = new OrganizationBody(state.Organization.Id, state.Organization.Name, state.Organization.Slug);
            var team = new TeamBody(project.Id, project.Uuid, state.Organization.Id, project.Id, project.ApiToken, project.Name);
            return Results.Json(new UserBody(caller.User.Uuid, caller.User.DistinctId, caller.User.Email, team, organization, [organization]), EmulatorJson.Relaxed.UserBody);
        });

        app.MapGet("/api/projects/@current/", (HttpContext context) =>
        {
            var (caller, error) = Caller.Authenticate(context, state);
            if (caller is null)
            {
                return error!;
            }

            if (!caller.Has("project:read"))
            {
                return Errors.MissingScope("project:read");
            }

            // The user's current (last used) project, not the key's: a key limited to other projects is refused.
            var project = CurrentProject(caller, state);
            if (!caller.CanAccessProject(project.Id))
            {
                return Errors.NoProjectAccess(project.Id);
            }

            return Results.Json(new ProjectBody(project.Id, project.Uuid, state.Organization.Id, project.ApiToken, project.Name), EmulatorJson.Relaxed.ProjectBody);
        });

        app.MapGet("/api/projects/", (HttpContext context) =>
        {
            var (caller, error) = Caller.Authenticate(context, state);
            if (caller is null)
            {
                return error!;
            }

            if (!caller.Has("project:read"))
            {
                return Errors.MissingScope("project:read");
            }

            var visible = state.Projects.Where(p => caller.CanAccessProject(p.Id))
                .Select(p => new ProjectBody(p.Id, p.Uuid, state.Organization.Id, p.ApiToken, p.Name)).ToList();
            return Paging.Page(context, visible, EmulatorJson.Relaxed.PageBodyProjectBody);
        });

        app.MapPost("/api/revoke_leaked_key", (Func<HttpContext, Task<IResult>>)(async context =>
        {
            RevokeRequest? request;
            try
            {
                request = await System.Text.Json.JsonSerializer.DeserializeAsync(context.Request.Body, EmulatorJson.Relaxed.RevokeRequest);
            }
            catch (System.Text.Json.JsonException)
            {
                return Errors.BadRequest("Malformed JSON.");
            }

            if (request?.Token is not { Length: > 0 } token)
            {
                return Errors.BadRequest("This field is required.", "token");
            }

            if (token.Length > 200)
            {
                return Errors.BadRequest("Ensure this field has no more than 200 characters.", "token");
            }

            var type = state.Revoke(token);
            return Results.Json(new RevokeBody(type is not null, type), EmulatorJson.Relaxed.RevokeBody);
        }));
    }

    public static PersonalKeyBody ToBody(StoredKey key) => new(
        key.Id, key.Label, null, key.Mask, key.CreatedAt, key.LastUsedAt, key.UserId,
        key.Scopes.Count == 0 ? ["*"] : key.Scopes, key.ScopedTeams, null, key.LastRolledAt);

    private static Project CurrentProject(Caller caller, EmulatorState state) =>
        state.FindProject(caller.User.CurrentProjectId) ?? state.Projects[0];
}
