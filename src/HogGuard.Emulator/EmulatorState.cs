using HogGuard.Keys;

namespace HogGuard.Emulator;

/// <summary>
/// Everything the emulator knows, behind one lock. Keys are held hashed, as PostHog holds them; a
/// key seeded without a value gets a generated one, which is shown once, masked, in the log.
/// </summary>
internal sealed partial class EmulatorState
{
    private readonly Lock _lock = new();
    private readonly List<Project> _projects = [];
    private readonly List<User> _users = [];
    private readonly List<CapturedEvent> _events = [];
    private readonly List<FaultRule> _faults = [];
    private readonly TimeProvider _time;
    private int _nextKeyId = 1;

    public int MaxSecretKeysPerProject { get; }

    /// <summary>Answers as the older flags service (a <c>phs_</c> without <c>?token=</c> is a 400).</summary>
    public bool OlderFlagsService { get; }

    public bool CurrentShowsPreviousUse { get; }

    public Organization Organization { get; } = new();

    /// <summary>
    /// Local ports that play PostHog Cloud's app host only (<c>us.posthog.com</c>): ingestion paths
    /// asked there are redirected to an HTML login page, as PostHog's catch-all does. Empty: every
    /// port serves everything, as a self-hosted PostHog does.
    /// </summary>
    public HashSet<int> AppOnlyPorts { get; } = [];

    public DateTimeOffset Now => _time.GetUtcNow();

    public IReadOnlyList<Project> Projects
    {
        get
        {
            lock (_lock)
            {
                return [.. _projects];
            }
        }
    }

    /// <summary>
    /// The key's owner and the key, with <c>last_used_at</c> as it was before this request; the
    /// request then counts as a use (<c>posthog/auth.py</c>: at most hourly).
    /// </summary>
    public (User User, StoredKey Key, DateTimeOffset? PreviousUse)? FindPersonalKey(string value)
    {
        var hash = TokenGenerator.StoredHash(value);
        lock (_lock)
        {
            foreach (var user in _users)
            {
                if ((user.PersonalApiKeys.Find(k => k.Hash == hash) ?? user.OAuthAccessTokens.Find(k => k.Hash == hash)) is { } key)
                {
                    var previous = key.LastUsedAt;
                    Touch(key);
                    return (user, key, previous);
                }
            }
        }

        return null;
    }

    /// <summary>A project secret API key, or the legacy team secret token (or its backup during rotation).</summary>
    public (Project Project, StoredKey? Key)? FindSecretKey(string value)
    {
        var hash = TokenGenerator.StoredHash(value);
        lock (_lock)
        {
            foreach (var project in _projects)
            {
                if (project.SecretApiKeys.Find(k => k.Hash == hash) is { } key)
                {
                    Touch(key);
                    return (project, key);
                }

                if (project.SecretTokenHash == hash || project.SecretTokenBackupHash == hash)
                {
                    return (project, null);
                }
            }
        }

        return null;
    }

    public User? FindUser(string email)
    {
        lock (_lock)
        {
            return _users.Find(u => string.Equals(u.Email, email, StringComparison.OrdinalIgnoreCase));
        }
    }

    public Project? FindProject(int id)
    {
        lock (_lock)
        {
            return _projects.Find(p => p.Id == id);
        }
    }

    public Project? FindProjectByToken(string apiToken)
    {
        lock (_lock)
        {
            return _projects.Find(p => p.ApiToken == apiToken);
        }
    }

    /// <summary>
    /// What <c>/api/revoke_leaked_key</c> does (<c>posthog/api/secret_revocation.py</c>): personal and
    /// project secret keys are rolled (a new value nobody has; the owner would be emailed), OAuth
    /// tokens revoked; the legacy team secret token is not known. Returns the type, or null.
    /// </summary>
    public string? Revoke(string value)
    {
        var hash = TokenGenerator.StoredHash(value);
        lock (_lock)
        {
            foreach (var user in _users)
            {
                if (user.PersonalApiKeys.Find(k => k.Hash == hash) is { } personal)
                {
                    RollUnlocked(personal, PostHogTokenKind.PersonalApiKey);
                    return "personal_api_key";
                }

                if (user.OAuthAccessTokens.RemoveAll(k => k.Hash == hash) > 0)
                {
                    return "oauth_access_token";
                }

                if (user.OAuthRefreshTokens.RemoveAll(k => k.Hash == hash) > 0)
                {
                    return "oauth_refresh_token";
                }
            }

            foreach (var project in _projects)
            {
                if (project.SecretApiKeys.Find(k => k.Hash == hash) is { } secret)
                {
                    RollUnlocked(secret, PostHogTokenKind.ProjectSecretApiKey);
                    return "project_secret_api_key";
                }
            }
        }

        return null;
    }

    /// <summary>Gives a key a new value in place (<c>roll</c>); returns the value, shown once.</summary>
    public string Roll(StoredKey key, PostHogTokenKind kind)
    {
        lock (_lock)
        {
            return RollUnlocked(key, kind);
        }
    }

    private string RollUnlocked(StoredKey key, PostHogTokenKind kind)
    {
        var value = TokenGenerator.Generate(kind);
        key.Hash = TokenGenerator.StoredHash(value);
        key.Mask = SecretMasking.Mask(value);
        key.LastRolledAt = _time.GetUtcNow();
        return value;
    }

    /// <summary>Runs <paramref name="change"/> under the state's lock (for the management endpoints).</summary>
    public T Change<T>(Func<T> change)
    {
        lock (_lock)
        {
            return change();
        }
    }

    public string NewKeyId()
    {
        lock (_lock)
        {
            return NextId();
        }
    }

    public void AddEvents(IEnumerable<CapturedEvent> events)
    {
        lock (_lock)
        {
            _events.AddRange(events);
        }
    }

    public IReadOnlyList<CapturedEvent> Events
    {
        get
        {
            lock (_lock)
            {
                return [.. _events];
            }
        }
    }

    public void SetFaults(IEnumerable<FaultRule> faults)
    {
        lock (_lock)
        {
            _faults.Clear();
            _faults.AddRange(faults);
        }
    }

    /// <summary>The fault for a request path, if one applies; counts the call against the fault's budget.</summary>
    public FaultRule? TakeFault(string path)
    {
        lock (_lock)
        {
            var fault = _faults.Find(f => path.StartsWith(f.Route, StringComparison.Ordinal));
            if (fault is null)
            {
                return null;
            }

            if (fault.Count > 0 && --fault.Count == 0)
            {
                _faults.Remove(fault);
            }

            return fault;
        }
    }

    /// <summary>PostHog updates last_used_at at most hourly.</summary>
    private void Touch(StoredKey key)
    {
        var now = _time.GetUtcNow();
        if (key.LastUsedAt is null || now - key.LastUsedAt >= TimeSpan.FromHours(1))
        {
            key.LastUsedAt = now;
        }
    }

    private string NextId() => (_nextKeyId++).ToString(System.Globalization.CultureInfo.InvariantCulture);
}
