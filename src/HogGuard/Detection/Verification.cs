using HogGuard.Keys;

namespace HogGuard.Detection;

/// <summary>Whether PostHog accepts a found secret.</summary>
public enum VerificationStatus
{
    /// <summary>PostHog accepted the key on <see cref="Verification.Host"/>.</summary>
    Live,

    /// <summary>Every host answered 401: revoked, rolled, never valid, or (with a project token) another project's key.</summary>
    Invalid,

    /// <summary>
    /// No verdict: this kind cannot be checked (a refresh token, a public project key, a setting
    /// literal), or a host answered something other than PostHog's yes or 401 (a redirect, 400, 404,
    /// an unexpected body); <see cref="Verification.Detail"/> says which.
    /// </summary>
    Unknown,

    /// <summary>No host gave an answer (timeouts, refused connections, 5xx through every retry).</summary>
    Unreachable,
}

/// <summary>What a live check found out about a secret. Holds no secret itself.</summary>
public sealed record Verification(VerificationStatus Status, string? Host = null, string? Detail = null)
{
    /// <summary>The key's scopes, for a personal key PostHog described.</summary>
    public IReadOnlyList<string>? Scopes { get; init; }

    /// <summary>The projects the key is limited to; null or empty for all.</summary>
    public IReadOnlyList<int>? ScopedTeams { get; init; }

    /// <summary>When the key was created.</summary>
    public DateTimeOffset? CreatedAt { get; init; }

    /// <summary>When PostHog last saw the key used.</summary>
    public DateTimeOffset? LastUsedAt { get; init; }

    /// <summary>When the key was last rolled.</summary>
    public DateTimeOffset? LastRolledAt { get; init; }

    /// <summary>The key holds <c>*</c> or a <c>write</c> scope: a leak lets anyone change data.</summary>
    public bool CanWrite => Scopes is not null && ScopeSet.Of(Scopes).CanWrite;

    /// <summary>Set by <c>--revoke</c>: what PostHog's revocation endpoint answered.</summary>
    public Revocation? Revocation { get; init; }
}

/// <summary>PostHog's answer to a revocation: whether it knew the key, its type, and which host answered.</summary>
public sealed record Revocation(bool Found, string? Type, string Host, string? Detail = null)
{
    /// <summary>What PostHog did, in words (<c>posthog/api/leaked_key.py</c>, <c>posthog/api/secret_revocation.py</c>).</summary>
    public string Effect => (Found, Type) switch
    {
        (false, _) => "not known to PostHog",
        (true, "personal_api_key" or "project_secret_api_key") => "rolled by PostHog, owner emailed",
        (true, "oauth_access_token" or "oauth_refresh_token") => "OAuth session revoked by PostHog",
        (true, _) => $"revoked by PostHog as {Type}",
    };
}
