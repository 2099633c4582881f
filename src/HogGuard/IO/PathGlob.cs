using System.Text;
using System.Text.RegularExpressions;

namespace HogGuard.IO;

/// <summary>
/// A path pattern as in <c>scan.allow_paths</c>: <c>**</c> spans folders, <c>*</c> and <c>?</c> stay
/// within one name, and a pattern without a slash matches a name at any depth (as in .gitignore).
/// Paths use forward slashes and are relative to the scanned root.
/// </summary>
internal sealed class PathGlob
{
    private readonly Regex _regex;

    public PathGlob(string pattern)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(pattern);
        Pattern = pattern;
        var trimmed = pattern.Replace('\\', '/').TrimStart('/');
        if (trimmed.EndsWith('/'))
        {
            trimmed += "**";
        }

        var anyDepth = !trimmed.Contains('/', StringComparison.Ordinal);
        var regex = new StringBuilder(anyDepth ? "^(?:.*/)?" : "^");
        for (var i = 0; i < trimmed.Length; i++)
        {
            var c = trimmed[i];
            if (c == '*' && i + 1 < trimmed.Length && trimmed[i + 1] == '*')
            {
                var slash = i + 2 < trimmed.Length && trimmed[i + 2] == '/';
                regex.Append(slash ? "(?:.*/)?" : ".*");
                i += slash ? 2 : 1;
            }
            else if (c == '*')
            {
                regex.Append("[^/]*");
            }
            else if (c == '?')
            {
                regex.Append("[^/]");
            }
            else
            {
                regex.Append(Regex.Escape(c.ToString()));
            }
        }

        // A pattern naming a folder also covers everything below it.
        regex.Append("(?:/.*)?$");
        _regex = new Regex(regex.ToString(), RegexOptions.CultureInvariant | RegexOptions.NonBacktracking);
    }

    public string Pattern { get; }

    public bool IsMatch(string path) => _regex.IsMatch(path.Replace('\\', '/'));

    /// <summary>True when any of <paramref name="globs"/> matches.</summary>
    public static bool AnyMatch(IReadOnlyList<PathGlob> globs, string path)
    {
        foreach (var glob in globs)
        {
            if (glob.IsMatch(path))
            {
                return true;
            }
        }

        return false;
    }
}
