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
