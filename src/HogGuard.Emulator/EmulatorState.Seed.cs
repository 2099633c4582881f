using HogGuard.Keys;

namespace HogGuard.Emulator;

/// <summary>The state a seed describes: projects, users and their keys, held hashed; keys without a value get one.</summary>
internal sealed partial class EmulatorState
{
    public EmulatorState(SeedFile seed, TimeProvider time, Action<string> log)
    {
        _time = time;
        MaxSecretKeysPerProject = seed.MaxSecretKeysPerProject;
        OlderFlagsService = string.Equals(seed.FlagsService, "older", StringComparison.OrdinalIgnoreCase);
        CurrentShowsPreviousUse = seed.CurrentShowsPreviousUse;
        var now = time.GetUtcNow();
        if (seed.Projects.Count == 0)
        {
            seed.Projects.Add(new SeedProject { Id = 1 });
        }

        foreach (var p in seed.Projects)
        {
            var project = new Project { Id = p.Id, Name = p.Name, ApiToken = p.ApiToken ?? TokenGenerator.Generate(PostHogTokenKind.ProjectApiKey), FlagsCacheEmpty = p.FlagsCacheEmpty };
            if (p.SecretToken is not null)
            {
                project.SecretTokenHash = TokenGenerator.StoredHash(p.SecretToken);
            }
            else if (p.SecretTokenHash is not null)
            {
                project.SecretTokenHash = p.SecretTokenHash;
            }

            foreach (var k in p.SecretApiKeys)
            {
                project.SecretApiKeys.Add(Stored(k, PostHogTokenKind.ProjectSecretApiKey, $"project {p.Id} secret key '{k.Label}'", log, now, projectId: p.Id));
            }

            _projects.Add(project);
        }

        var userId = 1;
        foreach (var u in seed.Users)
        {
            var level = u.Level.ToLowerInvariant() switch
            {
                "member" => 1,
                "owner" => 15,
                _ => 8,
            };
            var user = new User { Id = userId++, Email = u.Email, Level = level, CurrentProjectId = u.CurrentProject ?? _projects[0].Id };
            foreach (var k in u.PersonalApiKeys)
            {
                user.PersonalApiKeys.Add(Stored(k, PostHogTokenKind.PersonalApiKey, $"{u.Email}'s personal key '{k.Label}'", log, now, userId: user.Id));
            }

            foreach (var k in u.OauthAccessTokens)
            {
                user.OAuthAccessTokens.Add(Stored(k, PostHogTokenKind.OAuthAccessToken, $"{u.Email}'s OAuth access token '{k.Label}'", log, now, userId: user.Id));
            }

            foreach (var k in u.OauthRefreshTokens)
            {
                user.OAuthRefreshTokens.Add(Stored(k, PostHogTokenKind.OAuthRefreshToken, $"{u.Email}'s OAuth refresh token '{k.Label}'", log, now, userId: user.Id));
            }

            _users.Add(user);
        }

        _faults.AddRange(seed.Faults);
    }

    /// <summary>A seeded key as held: from its value, from its hash and mask, or generated.</summary>
    private StoredKey Stored(SeedKey key, PostHogTokenKind kind, string what, Action<string> log, DateTimeOffset now, int? userId = null, int? projectId = null)
    {
        if (key.Value is not { Length: > 0 } && key.ValueHash is { } hash)
        {
            var stored = StoredKey.Create(NextId(), string.Empty, key, now, userId, projectId);
            stored.Hash = hash;
            stored.Mask = key.Mask!;
            return stored;
        }

        return StoredKey.Create(NextId(), ValueOrGenerated(key, kind, what, log), key, now, userId, projectId);
    }

    private static string ValueOrGenerated(SeedKey key, PostHogTokenKind kind, string what, Action<string> log)
    {
        if (key.Value is { Length: > 0 } value)
        {
            return value;
        }

        value = TokenGenerator.Generate(kind);
        log($"generated {what}: {SecretMasking.Mask(value)} (sha256:{SecretMasking.Fingerprint(value)})");
        return value;
    }
}
