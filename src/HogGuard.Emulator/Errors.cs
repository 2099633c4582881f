namespace HogGuard.Emulator;

/// <summary>PostHog's status codes and error bodies (posthog-facts.md §3).</summary>
internal static class Errors
{
    public static IResult NotAuthenticated() =>
        Json(401, new("authentication_error", "not_authenticated", "Authentication credentials were not provided."));

    public static IResult InvalidPersonalKey() =>
        Json(401, new("authentication_error", "authentication_failed", "Personal API key found in request Authorization header is invalid."));

    public static IResult InvalidSecretKey() =>
        Json(401, new("authentication_error", "authentication_failed", "Secret API token is invalid."));

    public static IResult MissingScope(string scope) =>
        Json(403, new("authentication_error", "permission_denied", $"API key missing required scope '{scope}'"));

    public static IResult PersonalKeyNotSupported() =>
        Json(403, new("authentication_error", "permission_denied", "This action does not support Personal API Key access"));

    public static IResult NoProjectAccess(int projectId) =>
        Json(403, new("authentication_error", "permission_denied", $"API key does not have access to the requested project: ID {projectId}."));

    /// <summary>TeamMemberStrictManagementPermission's refusal (<c>posthog/permissions.py</c>).</summary>
    public static IResult InsufficientProjectPermissions() =>
        Json(403, new("authentication_error", "permission_denied", "You don't have sufficient permissions in the project."));

    public static IResult NotFound() => Json(404, new("invalid_request", "not_found", "Not found."));

    public static IResult BadRequest(string detail, string? attr = null) => Json(400, new("validation_error", "invalid_input", detail, attr));

    public static IResult Json(int status, ErrorBody body) => Results.Json(body, EmulatorJson.Relaxed.ErrorBody, statusCode: status);
}
