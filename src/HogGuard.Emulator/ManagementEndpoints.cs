using HogGuard.Keys;

namespace HogGuard.Emulator;

/// <summary>
/// Key management as PostHog allows it: personal keys are listed, created, changed, rolled and
/// deleted by a person (a personal key may only read itself); project secret keys and the legacy
/// secret token are managed by a person or a personal key with <c>project:write</c>; feature flags
/// and insights show read versus write scopes.
/// </summary>
internal static partial class ManagementEndpoints
{
    private const int MaxPersonalKeys = 10;
    private const int MaxLabel = 40;

    /// <summary>ProjectSecretAPIKeySerializer.validate_scopes (<c>posthog/api/project_secret_api_key.py</c>).</summary>
    private const string WildcardRefused = "Wildcard scope '*' is not allowed for project API keys. Please specify explicit scopes.";

    public static void Map(WebApplication app, EmulatorState state)
    {
        MapPersonalKeys(app, state);
        MapSecretKeys(app, state);
        MapProjectItems(app, state, "feature_flags", "feature_flag", p => p.FeatureFlags);
        MapProjectItems(app, state, "insights", "insight", p => p.Insights);
        MapQuery(app, state);
    }

    /// <summary>
    /// <c>/api/projects/{id}/query/</c>: running (POST), reading (GET) and cancelling (DELETE) a query
    /// are all read actions there (<c>posthog/api/query.py</c>: <c>scope_object_read_actions</c>).
    /// </summary>
    private static void MapQuery(WebApplication app, EmulatorState state)
    {
        const string Route = "/api/projects/{projectId:int}/query/";
        app.MapPost(Route, (Func<HttpContext, int, Task<IResult>>)(async (context, projectId) =>
            Reader(context, state, projectId, "query:read") ?? await QueryEndpoint.AnswerAsync(context, state, state.FindProject(projectId)!)));
        app.MapGet(Route + "{queryId}/", (HttpContext context, int projectId, string queryId) =>
            Reader(context, state, projectId, "query:read") ?? Results.Json(new QueryBody([], queryId), EmulatorJson.Relaxed.QueryBody));
        app.MapDelete(Route + "{queryId}/", (HttpContext context, int projectId, string queryId) =>
            Reader(context, state, projectId, "query:read") ?? Results.NoContent());
    }

    /// <summary>A read action whatever the method: scope and project scoping only, as any member may.</summary>
    private static IResult? Reader(HttpContext context, EmulatorState state, int projectId, string scope)
    {
        var (caller, error) = Caller.Authenticate(context, state);
        if (caller is null)
        {
            return error;
        }

        if (state.FindProject(projectId) is null)
        {
            return Errors.NotFound();
        }

        if (!caller.CanAccessProject(projectId))
        {
            return Errors.NoProjectAccess(projectId);
        }

        return caller.Has(scope) ? null : Errors.MissingScope(scope);
    }

    private static void MapPersonalKeys(WebApplication app, EmulatorState state)
    {
        app.MapPost("/api/personal_api_keys/", (Func<HttpContext, Task<IResult>>)(async context =>
        {
            if (Person(context, state, out var caller) is { } refusal)
            {
                return refusal;
            }

            var request = await Read(context, EmulatorJson.Relaxed.KeyRequest);
            if (Validate(request) is { } invalid)
            {
                return invalid;
            }

            if (caller.User.PersonalApiKeys.Count >= MaxPersonalKeys)
            {
                return Errors.BadRequest($"You can only have {MaxPersonalKeys} personal API keys. Remove an existing key before creating a new one.");
            }

            var value = TokenGenerator.Generate(PostHogTokenKind.PersonalApiKey);
            var key = StoredKey.Create(state.NewKeyId(), value, new SeedKey { Label = request!.Label!, Scopes = request.Scopes ?? ["*"], ScopedTeams = request.ScopedTeams }, state.Now, userId: caller.User.Id);
            state.Change(() => { caller.User.PersonalApiKeys.Add(key); return 0; });
            return Results.Json(IdentityEndpoints.ToBody(key) with { Value = value }, EmulatorJson.Relaxed.PersonalKeyBody, statusCode: 201);
        }));

        app.MapGet("/api/personal_api_keys/{id}/", (HttpContext context, string id) =>
            Person(context, state, out var caller) ?? (FindOwn(caller, id) is { } key ? Results.Json(IdentityEndpoints.ToBody(key), EmulatorJson.Relaxed.PersonalKeyBody) : Errors.NotFound()));

        app.MapMethods("/api/personal_api_keys/{id}/", ["PATCH", "PUT"], (Func<HttpContext, string, Task<IResult>>)(async (context, id) =>
        {
            if (Person(context, state, out var caller) is { } refusal)
            {
                return refusal;
            }

            if (FindOwn(caller, id) is not { } key)
            {
                return Errors.NotFound();
            }

            var request = await Read(context, EmulatorJson.Relaxed.KeyRequest);
            if (request is null || (request.Label is { Length: > MaxLabel }))
            {
                return Errors.BadRequest("Ensure this field has no more than 40 characters.", "label");
            }

            state.Change(() =>
            {
                key.Label = request.Label ?? key.Label;
                key.Scopes = request.Scopes ?? key.Scopes;
                key.ScopedTeams = request.ScopedTeams ?? key.ScopedTeams;
                return 0;
            });
            return Results.Json(IdentityEndpoints.ToBody(key), EmulatorJson.Relaxed.PersonalKeyBody);
        }));

        app.MapDelete("/api/personal_api_keys/{id}/", (HttpContext context, string id) =>
            Person(context, state, out var caller) ?? (state.Change(() => caller.User.PersonalApiKeys.RemoveAll(k => k.Id == id)) > 0 ? Results.NoContent() : Errors.NotFound()));

        app.MapPost("/api/personal_api_keys/{id}/roll/", (HttpContext context, string id) =>
        {
            if (Person(context, state, out var caller) is { } refusal)
            {
                return refusal;
            }

            if (FindOwn(caller, id) is not { } key)
            {
                return Errors.NotFound();
            }

            var value = state.Roll(key, PostHogTokenKind.PersonalApiKey);
            return Results.Json(IdentityEndpoints.ToBody(key) with { Value = value }, EmulatorJson.Relaxed.PersonalKeyBody);
        });
    }

    private static void MapProjectItems(WebApplication app, EmulatorState state, string path, string scope, Func<Project, List<string>> items)
    {
        var route = $"/api/projects/{{projectId:int}}/{path}/";
        app.MapGet(route, (HttpContext context, int projectId) =>
            Admin(context, state, projectId, scope + ":read", out var project)
                ?? Results.Json(state.Change(() => items(project).Select((name, i) => new ItemBody(i + 1, name)).ToList()), EmulatorJson.Relaxed.ListItemBody));

        app.MapPost(route, (Func<HttpContext, int, Task<IResult>>)(async (context, projectId) =>
        {
            if (Admin(context, state, projectId, scope + ":write", out var project) is { } refusal)
            {
                return refusal;
            }

            var request = await Read(context, EmulatorJson.Relaxed.ItemRequest);
            var name = request?.Key ?? request?.Name;
            if (string.IsNullOrEmpty(name))
            {
                return Errors.BadRequest("This field is required.", "key");
            }

            var id = state.Change(() => { items(project).Add(name); return items(project).Count; });
            return Results.Json(new ItemBody(id, name), EmulatorJson.Relaxed.ItemBody, statusCode: 201);
        }));
    }

    /// <summary>Only a person may manage personal keys; a personal key gets PostHog's 403.</summary>
    private static IResult? Person(HttpContext context, EmulatorState state, out Caller caller)
    {
        var (found, error) = Caller.Authenticate(context, state);
        caller = found!;
        if (found is null)
        {
            return error;
        }

        return found.IsSession ? null : Errors.PersonalKeyNotSupported();
    }

    private static IResult? PersonAdmin(HttpContext context, EmulatorState state, int projectId, out Project project)
    {
        project = null!;
        if (Person(context, state, out var caller) is { } refusal)
        {
            return refusal;
        }

        if (state.FindProject(projectId) is not { } found)
        {
            return Errors.NotFound();
        }

        if (!caller.User.IsAdmin)
        {
            return Errors.InsufficientProjectPermissions();
        }

        project = found;
        return null;
    }

    /// <summary>
    /// A person or personal key acting on a project: the key's project scoping, its scope, then the
    /// user's membership (TeamMemberStrictManagementPermission: members read, admins change).
    /// </summary>
    private static IResult? Admin(HttpContext context, EmulatorState state, int projectId, string scope, out Project project)
    {
        project = null!;
        var (caller, error) = Caller.Authenticate(context, state);
        if (caller is null)
        {
            return error;
        }

        if (state.FindProject(projectId) is not { } found)
        {
            return Errors.NotFound();
        }

        if (!caller.CanAccessProject(projectId))
        {
            return Errors.NoProjectAccess(projectId);
        }

        if (!caller.Has(scope))
        {
            return Errors.MissingScope(scope);
        }

        if (!HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method) && !caller.User.IsAdmin)
        {
            return Errors.InsufficientProjectPermissions();
        }

        project = found;
        return null;
    }

    private static StoredKey? FindOwn(Caller caller, string id) => caller.User.PersonalApiKeys.Find(k => k.Id == id);

    private static SecretKeyBody ToBody(StoredKey key) =>
        new(key.Id, key.Label, null, key.Mask, key.CreatedAt, null, key.LastUsedAt, key.LastRolledAt, key.Scopes);

    private static IResult? Validate(KeyRequest? request) => request switch
    {
        null or { Label: null or "" } => Errors.BadRequest("This field is required.", "label"),
        { Label.Length: > MaxLabel } => Errors.BadRequest("Ensure this field has no more than 40 characters.", "label"),
        _ => null,
    };

    private static async Task<T?> Read<T>(HttpContext context, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
    {
        try
        {
            return await System.Text.Json.JsonSerializer.DeserializeAsync(context.Request.Body, type);
        }
        catch (System.Text.Json.JsonException)
        {
            return default;
        }
    }
}
