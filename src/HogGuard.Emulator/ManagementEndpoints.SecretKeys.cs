using HogGuard.Keys;

namespace HogGuard.Emulator;

/// <summary>
/// Project secret API keys (<c>posthog/api/project_secret_api_key.py</c>) and the legacy team secret
/// token (<c>rotate_secret_token</c>, <c>delete_secret_token_backup</c> in <c>posthog/api/project.py</c>).
/// </summary>
internal static partial class ManagementEndpoints
{
    private static void MapSecretKeys(WebApplication app, EmulatorState state)
    {
        const string Base = "/api/projects/{projectId:int}/project_secret_api_keys/";
        // Newest first, in pages, as PostHog lists them (order_by("-created_at")).
        app.MapGet(Base, (HttpContext context, int projectId) =>
            Admin(context, state, projectId, "project:read", out var project)
                ?? Paging.Page(context, state.Change(() => project.SecretApiKeys.AsEnumerable().Reverse().OrderByDescending(k => k.CreatedAt).Select(ToBody).ToList()), EmulatorJson.Relaxed.PageBodySecretKeyBody));

        app.MapPost(Base, (Func<HttpContext, int, Task<IResult>>)(async (context, projectId) =>
        {
            if (Admin(context, state, projectId, "project:write", out var project) is { } refusal)
            {
                return refusal;
            }

            var request = await Read(context, EmulatorJson.Relaxed.KeyRequest);
            if (Validate(request) is { } invalid)
            {
                return invalid;
            }

            if (request!.Scopes is not { Count: > 0 } scopes || scopes.Contains("*"))
            {
                return Errors.BadRequest(request.Scopes is { Count: > 0 } ? WildcardRefused : "This list may not be empty.", "scopes");
            }

            // The serializer's create() raises a non-field ValidationError: attr is null.
            if (state.Change(() => project.SecretApiKeys.Count) >= state.MaxSecretKeysPerProject)
            {
                return Errors.BadRequest($"You can only have {state.MaxSecretKeysPerProject} project secret API keys. Remove an existing key before creating a new one.");
            }

            if (state.Change(() => project.SecretApiKeys.Exists(k => k.Label == request.Label)))
            {
                return Errors.BadRequest($"Project secret API key with label '{request.Label}' already exists.");
            }

            var value = TokenGenerator.Generate(PostHogTokenKind.ProjectSecretApiKey);
            var key = StoredKey.Create(state.NewKeyId(), value, new SeedKey { Label = request.Label!, Scopes = scopes }, state.Now, projectId: projectId);
            state.Change(() => { project.SecretApiKeys.Add(key); return 0; });
            return Results.Json(ToBody(key) with { Value = value }, EmulatorJson.Relaxed.SecretKeyBody, statusCode: 201);
        }));

        app.MapGet(Base + "{id}/", (HttpContext context, int projectId, string id) =>
            Admin(context, state, projectId, "project:read", out var project)
                ?? (state.Change(() => project.SecretApiKeys.Find(k => k.Id == id)) is { } key ? Results.Json(ToBody(key), EmulatorJson.Relaxed.SecretKeyBody) : Errors.NotFound()));

        app.MapMethods(Base + "{id}/", ["PATCH", "PUT"], (Func<HttpContext, int, string, Task<IResult>>)(async (context, projectId, id) =>
        {
            if (Admin(context, state, projectId, "project:write", out var project) is { } refusal)
            {
                return refusal;
            }

            if (state.Change(() => project.SecretApiKeys.Find(k => k.Id == id)) is not { } key)
            {
                return Errors.NotFound();
            }

            var request = await Read(context, EmulatorJson.Relaxed.KeyRequest);
            if (request is null || request.Label is { Length: > MaxLabel })
            {
                return Errors.BadRequest("Ensure this field has no more than 40 characters.", "label");
            }

            if (request.Scopes?.Contains("*") == true)
            {
                return Errors.BadRequest(WildcardRefused, "scopes");
            }

            state.Change(() =>
            {
                key.Label = request.Label ?? key.Label;
                key.Scopes = request.Scopes ?? key.Scopes;
                return 0;
            });
            return Results.Json(ToBody(key), EmulatorJson.Relaxed.SecretKeyBody);
        }));

        app.MapDelete(Base + "{id}/", (HttpContext context, int projectId, string id) =>
            Admin(context, state, projectId, "project:write", out var project)
                ?? (state.Change(() => project.SecretApiKeys.RemoveAll(k => k.Id == id)) > 0 ? Results.NoContent() : Errors.NotFound()));

        app.MapPost(Base + "{id}/roll/", (HttpContext context, int projectId, string id) =>
        {
            if (Admin(context, state, projectId, "project:write", out var project) is { } refusal)
            {
                return refusal;
            }

            if (state.Change(() => project.SecretApiKeys.Find(k => k.Id == id)) is not { } key)
            {
                return Errors.NotFound();
            }

            var value = state.Roll(key, PostHogTokenKind.ProjectSecretApiKey);
            return Results.Json(ToBody(key) with { Value = value }, EmulatorJson.Relaxed.SecretKeyBody);
        });

        // Custom actions without required_scopes: every personal API key gets 403, even '*'
        // (posthog/permissions.py, APIScopePermission); a person must be a project admin
        // (TeamMemberStrictManagementPermission, posthog/api/project.py).
        app.MapMethods("/api/projects/{projectId:int}/rotate_secret_token/", ["PATCH"], (HttpContext context, int projectId) =>
        {
            if (PersonAdmin(context, state, projectId, out var project) is { } refusal)
            {
                return refusal;
            }

            var value = TokenGenerator.Generate(PostHogTokenKind.ProjectSecretApiKey);
            state.Change(() =>
            {
                project.SecretTokenBackupHash = project.SecretTokenHash;
                project.SecretTokenHash = TokenGenerator.StoredHash(value);
                return 0;
            });
            return Results.Json(new SecretTokenBody(project.Id, value, project.SecretTokenBackupHash is null ? null : "(kept as backup)"), EmulatorJson.Relaxed.SecretTokenBody);
        });

        app.MapMethods("/api/projects/{projectId:int}/delete_secret_token_backup/", ["PATCH"], (HttpContext context, int projectId) =>
        {
            if (PersonAdmin(context, state, projectId, out var project) is { } refusal)
            {
                return refusal;
            }

            state.Change(() => project.SecretTokenBackupHash = null);
            return Results.Json(new SecretTokenBody(project.Id, null, null), EmulatorJson.Relaxed.SecretTokenBody);
        });
    }
}
