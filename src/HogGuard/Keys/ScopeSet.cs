using System.Collections;
using System.Collections.Frozen;

namespace HogGuard.Keys;

/// <summary>
/// The scopes a PostHog personal key holds or a policy allows, and PostHog's rules for them, in one
/// place: <c>*</c> allows everything, <c>x:write</c> allows <c>x:read</c>
/// (<c>posthog/permissions.py</c>, <c>APIScopePermission</c>). Ordinal, case-sensitive, as PostHog
/// compares them. Enumerates in ordinal order.
/// </summary>
public sealed class ScopeSet : IReadOnlyCollection<string>
{
    private const string Wildcard = "*";
    private const string ReadSuffix = ":read";
    private const string WriteSuffix = ":write";

    private static readonly FrozenDictionary<string, string> Objects = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["insights"] = "insight",
        ["feature_flags"] = "feature_flag",
        ["dashboards"] = "dashboard",
        ["cohorts"] = "cohort",
        ["persons"] = "person",
        ["query"] = "query",
        ["annotations"] = "annotation",
        ["experiments"] = "experiment",
        ["actions"] = "action",
        ["surveys"] = "survey",
        ["event_definitions"] = "event_definition",
        ["property_definitions"] = "property_definition",
        ["session_recordings"] = "session_recording",
        ["notebooks"] = "notebook",
        ["project_secret_api_keys"] = "project",
        ["hog_functions"] = "hog_function",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private readonly FrozenSet<string> _scopes;
    private readonly string[] _ordered;

    private ScopeSet(IEnumerable<string> scopes)
    {
        _scopes = scopes.ToFrozenSet(StringComparer.Ordinal);
        _ordered = [.. _scopes.Order(StringComparer.Ordinal)];
    }

    /// <summary>No scope at all.</summary>
    public static ScopeSet Empty { get; } = new([]);

    /// <summary>A set of the given scopes (duplicates collapse).</summary>
    public static ScopeSet Of(IEnumerable<string> scopes)
    {
        ArgumentNullException.ThrowIfNull(scopes);
        return new ScopeSet(scopes);
    }

    /// <summary>How many scopes the set holds.</summary>
    public int Count => _ordered.Length;

    /// <summary>Holds <c>*</c>.</summary>
    public bool IsWildcard => _scopes.Contains(Wildcard);

    /// <summary>Holds <c>*</c> or a <c>:write</c> scope: a leak lets anyone change data.</summary>
    public bool CanWrite => FirstWrite is not null;

    /// <summary>The first (ordinal) scope that writes, <c>*</c> included; null for a read-only set.</summary>
    public string? FirstWrite => Array.Find(_ordered, IsWrite);

    /// <summary>Whether a key holding these scopes may do what <paramref name="needed"/> names.</summary>
    public bool Allows(string needed)
    {
        ArgumentNullException.ThrowIfNull(needed);
        return IsWildcard || _scopes.Contains(needed)
            || (needed.EndsWith(ReadSuffix, StringComparison.Ordinal)
                && _scopes.Contains(string.Concat(needed.AsSpan(0, needed.Length - ReadSuffix.Length), WriteSuffix)));
    }

    /// <summary>The scopes of this set that <paramref name="allowed"/> does not allow, in ordinal order.</summary>
    public IReadOnlyList<string> Beyond(ScopeSet allowed)
    {
        ArgumentNullException.ThrowIfNull(allowed);
        return Array.FindAll(_ordered, scope => !allowed.Allows(scope));
    }

    /// <summary>The same scopes, exactly (no rule applied: a rotation must recreate a key as it was).</summary>
    public bool SetEquals(ScopeSet other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return _ordered.AsSpan().SequenceEqual(other._ordered);
    }

    /// <summary>
    /// The scope a private-API request needs: <c>/api/projects/{id}/insights/…</c> GET →
    /// <c>insight:read</c>, other methods → <c>insight:write</c>; null for a path HogGuard does not know.
    /// </summary>
    public static string? Required(HttpMethod method, string path)
    {
        ArgumentNullException.ThrowIfNull(method);
        var parts = (path ?? string.Empty).Split('?')[0].Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (parts is not ["api", "projects" or "environments", _, var item, ..] || !Objects.TryGetValue(item, out var obj))
        {
            return null;
        }

        // The query endpoint reads data with a POST and cancels a running query with a DELETE: both
        // are read actions there (posthog/api/query.py), so a reader key may run and cancel queries.
        var read = method == HttpMethod.Get || method == HttpMethod.Head || (obj == "query" && (method == HttpMethod.Post || method == HttpMethod.Delete));
        return obj + (read ? ReadSuffix : WriteSuffix);
    }

    /// <summary>Whether the named scope writes (<c>*</c> or <c>x:write</c>).</summary>
    public static bool IsWrite(string scope) => scope == Wildcard || scope.EndsWith(WriteSuffix, StringComparison.Ordinal);

    /// <inheritdoc/>
    public IEnumerator<string> GetEnumerator() => ((IEnumerable<string>)_ordered).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>The scopes, comma-separated, in ordinal order.</summary>
    public override string ToString() => string.Join(", ", _ordered);
}
