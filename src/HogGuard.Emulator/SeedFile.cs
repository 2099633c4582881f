namespace HogGuard.Emulator;

/// <summary>The seed file (see the README): projects with their keys, users with their personal keys, optional faults.</summary>
internal sealed class SeedFile
{
    public List<SeedProject> Projects { get; set; } = [];

    public List<SeedUser> Users { get; set; } = [];

    public List<FaultRule> Faults { get; set; } = [];

    /// <summary>
    /// How many project secret API keys a project may hold: 50, as PostHog's
    /// <c>MAX_PROJECT_SECRET_API_KEYS_PER_TEAM</c> (<c>posthog/api/project_secret_api_key.py</c>; it was
    /// 10 in older versions). Lower it to exercise "roll in place at the limit" cheaply.
    /// </summary>
    public int MaxSecretKeysPerProject { get; set; } = 50;

    /// <summary>
    /// Which version of PostHog's flags service (<c>rust/feature-flags/</c>) to answer as:
    /// <c>current</c> (a <c>phs_</c> key without <c>?token=</c> gets 200) or <c>older</c> (400).
    /// </summary>
    public string FlagsService { get; set; } = "current";

    /// <summary>
    /// <c>true</c> answers <c>@current</c> with <c>last_used_at</c> as it was before the request, as
    /// older PostHog versions did; by default it shows the time the request itself stamped
    /// (<c>posthog/auth.py</c>, at most hourly), as PostHog does today.
    /// </summary>
    public bool CurrentShowsPreviousUse { get; set; }
}

internal sealed class SeedProject
{
    public int Id { get; set; }

    public string Name { get; set; } = "Default project";

    public string? ApiToken { get; set; }

    public string? SecretToken { get; set; }

    /// <summary>The legacy secret token's stored hash (<c>sha256$...</c>), instead of <see cref="SecretToken"/>.</summary>
    public string? SecretTokenHash { get; set; }

    public List<SeedKey> SecretApiKeys { get; set; } = [];

    /// <summary>The flags service's cache holds nothing for this project: <c>/flags/definitions</c> answers 503.</summary>
    public bool FlagsCacheEmpty { get; set; }
}

internal sealed class SeedUser
{
    public string Email { get; set; } = "user@example.com";

    /// <summary>Organisation membership: <c>member</c>, <c>admin</c> (default) or <c>owner</c>; managing secret keys and tokens needs admin.</summary>
    public string Level { get; set; } = "admin";

    /// <summary>The project the user last used (<c>@current</c>); default the first project.</summary>
    public int? CurrentProject { get; set; }

    public List<SeedKey> PersonalApiKeys { get; set; } = [];

    /// <summary>OAuth access tokens (<c>pha_</c>) an app holds for this user; scopes apply as for personal keys.</summary>
    public List<SeedKey> OauthAccessTokens { get; set; } = [];

    /// <summary>OAuth refresh tokens (<c>phr_</c>): only revocation knows them.</summary>
    public List<SeedKey> OauthRefreshTokens { get; set; } = [];
}

/// <summary>
/// A personal or project secret key as seeded: its value, or its stored hash and mask (so the
/// seed need not hold the secret), or neither and a generated one.
/// </summary>
internal sealed class SeedKey
{
    public string Label { get; set; } = "key";

    public string? Value { get; set; }

    /// <summary>The key as PostHog stores it, <c>sha256$</c> and 64 hex digits, instead of <see cref="Value"/>.</summary>
    public string? ValueHash { get; set; }

    /// <summary>PostHog's mask of the key (<c>phx_...abcd</c>), needed with <see cref="ValueHash"/>.</summary>
    public string? Mask { get; set; }

    public List<string> Scopes { get; set; } = ["*"];

    public List<int>? ScopedTeams { get; set; }

    public DateTimeOffset? CreatedAt { get; set; }

    public DateTimeOffset? LastUsedAt { get; set; }

    public DateTimeOffset? LastRolledAt { get; set; }
}

/// <summary>
/// A fault on every path that starts with <see cref="Route"/>: added latency, a status code (429
/// with Retry-After when <see cref="RetryAfterSeconds"/> is set) or a dropped connection, for the
/// next <see cref="Count"/> calls (all calls when 0).
/// </summary>
internal sealed class FaultRule
{
    public string Route { get; set; } = "/";

    public int? Status { get; set; }

    public int? RetryAfterSeconds { get; set; }

    public int LatencyMs { get; set; }

    public bool Drop { get; set; }

    public int Count { get; set; } = 1;
}
