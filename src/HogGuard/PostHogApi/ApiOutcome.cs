namespace HogGuard.PostHogApi;

/// <summary>What PostHog said, as a value (a bad key is an answer, not an exception).</summary>
public enum ApiOutcome
{
    /// <summary>2xx: the call worked.</summary>
    Ok,

    /// <summary>401: the key is not valid on this host (revoked, mistyped, or another region).</summary>
    InvalidKey,

    /// <summary>403 naming a scope the key lacks; the key itself is valid.</summary>
    MissingScope,

    /// <summary>403: the key may not touch the requested project (its project scoping).</summary>
    NoProjectAccess,

    /// <summary>Another 403 (such as an action a personal key may not perform).</summary>
    Forbidden,

    /// <summary>404.</summary>
    NotFound,

    /// <summary>The host did not answer in time, refused the connection, or kept failing (429/5xx) through every retry.</summary>
    Unreachable,

    /// <summary>Any other answer.</summary>
    Failed,
}

/// <summary>Rules on <see cref="ApiOutcome"/>, in one place.</summary>
public static class ApiOutcomeRules
{
    /// <summary>
    /// Whether this answer proves the key is live: PostHog accepted it, or authenticated it and then
    /// refused the action (a missing scope, another project, an action its kind may not perform).
    /// Only 401 says a key is not valid (<c>posthog/auth.py</c>); anything else proves nothing either way.
    /// </summary>
    public static bool ProvesKeyLive(this ApiOutcome outcome) =>
        outcome is ApiOutcome.Ok or ApiOutcome.MissingScope or ApiOutcome.Forbidden or ApiOutcome.NoProjectAccess;
}
