using Microsoft.Extensions.Primitives;

namespace HogGuard.Emulator;

/// <summary>
/// Who is calling: a personal API key (Bearer, or <c>personal_api_key</c> in the query), or a person
/// logged in, which the emulator stands in for with the <c>X-Emulator-Session</c> header holding the
/// user's email. An OAuth access token (<c>pha_</c>) authenticates like a personal key, with its
/// own scopes. Scopes follow PostHog: <c>*</c> is everything and <c>write</c> implies <c>read</c>.
/// </summary>
internal sealed record Caller(User User, StoredKey? Key, DateTimeOffset? PreviousUse = null)
{
    public const string SessionHeader = "X-Emulator-Session";

    public bool IsSession => Key is null;

    public bool Has(string scope)
    {
        if (Key is null || Key.Scopes.Contains("*"))
        {
            return true;
        }

        if (Key.Scopes.Contains(scope))
        {
            return true;
        }

        var colon = scope.IndexOf(':', StringComparison.Ordinal);
        return scope.EndsWith(":read", StringComparison.Ordinal) && Key.Scopes.Contains(scope[..colon] + ":write");
    }

    public bool CanAccessProject(int projectId) => Key?.ScopedTeams is not { Count: > 0 } teams || teams.Contains(projectId);

    /// <summary>The caller, or the PostHog error to answer with.</summary>
    public static (Caller? Caller, IResult? Error) Authenticate(HttpContext context, EmulatorState state)
    {
        if (context.Request.Headers.TryGetValue(SessionHeader, out var session) && state.FindUser(session.ToString()) is { } person)
        {
            return (new Caller(person, null), null);
        }

        var token = BearerToken(context.Request.Headers.Authorization) ?? context.Request.Query["personal_api_key"].FirstOrDefault();
        if (string.IsNullOrEmpty(token))
        {
            return (null, Errors.NotAuthenticated());
        }

        return state.FindPersonalKey(token) is { } found ? (new Caller(found.User, found.Key, found.PreviousUse), null) : (null, Errors.InvalidPersonalKey());
    }

    public static string? BearerToken(StringValues authorization)
    {
        var value = authorization.ToString();
        return value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? value[7..].Trim() : null;
    }
}
