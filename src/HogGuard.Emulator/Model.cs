using HogGuard.Keys;

namespace HogGuard.Emulator;

internal sealed class Organization
{
    public Guid Id { get; } = Guid.NewGuid();

    public string Name { get; init; } = "Emulated organization";

    public string Slug { get; init; } = "emulated";
}

internal sealed class Project
{
    public required int Id { get; init; }

    public Guid Uuid { get; } = Guid.NewGuid();

    public required string Name { get; init; }

    public required string ApiToken { get; set; }

    /// <summary>The legacy team secret token (stored hashed) and its backup during rotation.</summary>
    public string? SecretTokenHash { get; set; }

    public string? SecretTokenBackupHash { get; set; }

    public List<StoredKey> SecretApiKeys { get; } = [];

    public bool FlagsCacheEmpty { get; init; }

    /// <summary>Feature flags and insights, by name: enough to show read versus write scopes.</summary>
    public List<string> FeatureFlags { get; } = [];

    public List<string> Insights { get; } = [];
}

internal sealed class User
{
    public required int Id { get; init; }

    public Guid Uuid { get; } = Guid.NewGuid();

    public required string Email { get; init; }

    /// <summary>PostHog's <c>OrganizationMembership.Level</c>: member 1, admin 8, owner 15.</summary>
    public int Level { get; init; } = 8;

    public bool IsAdmin => Level >= 8;

    /// <summary>The user's current project (<c>@current</c>).</summary>
    public int CurrentProjectId { get; set; }

    public string DistinctId => Uuid.ToString("N");

    public List<StoredKey> PersonalApiKeys { get; } = [];

    public List<StoredKey> OAuthAccessTokens { get; } = [];

    public List<StoredKey> OAuthRefreshTokens { get; } = [];
}

/// <summary>A personal or project secret key, held as PostHog holds it: the hash and the mask, never the value.</summary>
internal sealed class StoredKey
{
    public required string Id { get; init; }

    public required string Label { get; set; }

    public required string Hash { get; set; }

    public required string Mask { get; set; }

    public required List<string> Scopes { get; set; }

    public List<int>? ScopedTeams { get; set; }

    public required DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? LastUsedAt { get; set; }

    public DateTimeOffset? LastRolledAt { get; set; }

    public int? UserId { get; init; }

    public int? ProjectId { get; init; }

    public static StoredKey Create(string id, string value, SeedKey seed, DateTimeOffset now, int? userId = null, int? projectId = null) => new()
    {
        Id = id,
        Label = seed.Label,
        Hash = TokenGenerator.StoredHash(value),
        Mask = SecretMasking.Mask(value),
        Scopes = seed.Scopes.Count == 0 ? ["*"] : [.. seed.Scopes],
        ScopedTeams = seed.ScopedTeams,
        CreatedAt = seed.CreatedAt ?? now,
        LastUsedAt = seed.LastUsedAt,
        LastRolledAt = seed.LastRolledAt,
        UserId = userId,
        ProjectId = projectId,
    };
}

/// <summary>An event received on a capture endpoint.</summary>
internal sealed record CapturedEvent(string ApiKey, string Event, string DistinctId, string? Uuid, string? Timestamp, string RawJson, DateTimeOffset ReceivedAt);
