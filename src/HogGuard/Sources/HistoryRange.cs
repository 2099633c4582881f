namespace HogGuard.Sources;

/// <summary>
/// The commits a history scan covers when not every ref: those reachable from <see cref="Include"/>
/// but not from <see cref="Exclude"/> (git's <c>A..B</c>), e.g. a pull request's commits. Only
/// blobs those commits introduced are scanned; a blob already present at <see cref="Exclude"/> is not.
/// </summary>
/// <param name="Exclude">The base (<c>A</c>); null for the whole history of <see cref="Include"/>.</param>
/// <param name="Include">The tip (<c>B</c>), <c>HEAD</c> when <c>A..</c> leaves it out.</param>
public sealed record HistoryRange(string? Exclude, string Include)
{
    /// <summary>Reads <c>A..B</c> (or <c>A..</c>, meaning <c>A..HEAD</c>) as <c>--range</c> takes it.</summary>
    /// <exception cref="ScanInputException">Not of that form.</exception>
    public static HistoryRange Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Contains("...", StringComparison.Ordinal))
        {
            throw new ScanInputException($"--range '{text}' uses '...' (both sides' commits); use two dots, BASE..HEAD, for the commits of HEAD that BASE lacks");
        }

        var dots = text.IndexOf("..", StringComparison.Ordinal);
        if (dots <= 0 || text.IndexOf("..", dots + 2, StringComparison.Ordinal) >= 0)
        {
            throw new ScanInputException($"--range '{text}' is not of the form BASE..HEAD (e.g. origin/main..HEAD); for everything after one commit use --since REF");
        }

        var include = text[(dots + 2)..];
        return new HistoryRange(Check(text[..dots]), include.Length == 0 ? "HEAD" : Check(include));
    }

    /// <summary><c>REF..HEAD</c>: what was committed after <paramref name="since"/> (<c>--since</c>).</summary>
    public static HistoryRange Since(string since) => new(Check(since), "HEAD");

    /// <summary>The revision arguments for git: the tip, then <c>--not</c> and the base.</summary>
    internal IReadOnlyList<string> Revisions => Exclude is null ? [Include] : [Include, "--not", Exclude];

    /// <summary>A revision is passed to git as an argument; one that looks like an option is refused.</summary>
    private static string Check(string revision) =>
        revision.Length == 0 || revision.StartsWith('-') || revision.Any(char.IsWhiteSpace)
            ? throw new ScanInputException($"'{revision}' is not a revision; name a commit, branch or tag such as origin/main or a commit id")
            : revision;

    /// <inheritdoc/>
    public override string ToString() => Exclude is null ? Include : $"{Exclude}..{Include}";
}
