namespace HogGuard.Detection;

/// <summary>Where a finding was seen. For history scans, the commit that introduced it.</summary>
/// <param name="Path">Path relative to the scanned root, with forward slashes; <c>&lt;stdin&gt;</c> for standard input.</param>
/// <param name="Line">1-based line, when the finding is in a file's content.</param>
/// <param name="Column">1-based column in UTF-16 code units, when the finding is in a file's content.</param>
/// <param name="Commit">The commit that introduced the content (history scans only).</param>
/// <param name="Author">That commit's author name.</param>
/// <param name="Date">That commit's author date.</param>
public sealed record Location(string Path, int? Line = null, int? Column = null, string? Commit = null, string? Author = null, DateTimeOffset? Date = null)
{
    /// <summary>
    /// For a blob no ref reaches (<c>--unreachable</c>): <c>reflog HEAD@{2}</c> when a reflog entry
    /// still holds it, <c>dangling</c> when nothing does; null for reachable content.
    /// </summary>
    public string? Unreachable { get; init; }

    /// <summary>
    /// How the secret was encoded where it was seen: <c>base64</c>, <c>base64url</c>, <c>percent</c>
    /// (URL encoding) or <c>unicode-escape</c> (<c>\u0070</c>), two joined by <c>+</c> (outermost
    /// first) when it was encoded twice; null when it is written plainly.
    /// </summary>
    public string? Encoding { get; init; }
}
