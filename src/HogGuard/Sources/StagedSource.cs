using System.Text;
using HogGuard.Detection;

namespace HogGuard.Sources;

/// <summary>
/// Scans what the next commit would add: the added lines of <c>git diff --cached</c>, each at its
/// line number in the staged file, and any .env file being added. Lines already committed are
/// the history scan's business, so a pre-commit hook blocks only new leaks.
/// </summary>
internal static class StagedSource
{
    public static void Scan(string root, FindingSet sink, ScanStatistics stats)
    {
        if (!Directory.Exists(root) || !Git.IsInsideWorkTree(root))
        {
            HistorySource.RequireRepository(root, "--staged");
            throw new ScanInputException($"{root} is a bare repository; --staged needs a work tree with an index");
        }

        foreach (var path in Git.SplitNul(Git.RunChecked(root, "diff", "--cached", "--name-only", "-z", "--diff-filter=A", "--relative")))
        {
            if (EnvFiles.IsEnvFile(path) && !EnvFiles.IsTemplate(path))
            {
                sink.Add(EnvFiles.CommittedHit(path));
            }
        }

        var diff = Git.RunChecked(root, "diff", "--cached", "--relative", "--src-prefix=a/", "--dst-prefix=b/", "--no-color", "--no-ext-diff", "--no-textconv", "-U0", "--diff-filter=ACMR");
        ScanDiff(diff, new ContentScanner(sink), stats);
    }

    /// <summary>Scans the added lines of a unified diff with zero context.</summary>
    internal static void ScanDiff(ReadOnlySpan<byte> diff, ContentScanner scanner, ScanStatistics stats)
    {
        string? path = null;
        var line = 0;
        var inHunk = false;
        while (diff.Length > 0)
        {
            var nl = diff.IndexOf((byte)'\n');
            var text = nl < 0 ? diff : diff[..nl];
            diff = nl < 0 ? [] : diff[(nl + 1)..];
            if (text.StartsWith("diff --git "u8))
            {
                path = null;
                inHunk = false;
            }
            else if (!inHunk && text.StartsWith("+++ "u8))
            {
                var name = Encoding.UTF8.GetString(text[4..]);
                name = Provenance.Unquote(name);
                path = name.StartsWith("b/", StringComparison.Ordinal) ? name[2..] : null;
                if (path is not null)
                {
                    stats.AddScanned(0);
                }
            }
            else if (text.StartsWith("@@ "u8))
            {
                inHunk = TryParseNewStart(text, out line);
            }
            else if (inHunk && path is not null && text.Length > 0 && text[0] == '+')
            {
                var content = text[1..];
                scanner.Scan(content, path, line, checkBinary: false);
                stats.AddBytes(content.Length);

                line++;
            }
        }
    }

    private static bool TryParseNewStart(ReadOnlySpan<byte> header, out int line)
    {
        line = 0;
        var plus = header.IndexOf((byte)'+');
        if (plus < 0)
        {
            return false;
        }

        var rest = header[(plus + 1)..];
        var end = rest.IndexOfAny((byte)',', (byte)' ');
        return int.TryParse(end < 0 ? rest : rest[..end], out line);
    }
}
