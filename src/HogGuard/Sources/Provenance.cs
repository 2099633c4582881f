using System.Globalization;
using System.Text;
using HogGuard.Detection;

namespace HogGuard.Sources;

/// <summary>
/// Finds, for the blobs that hold findings, the commits that brought them in: one pass over
/// <c>git log --all --raw</c> (merges included as combined diffs), keeping for each blob and path
/// the earliest commit. Sightings in blobs that no commit diff names keep the path rev-list gave.
/// </summary>
internal static class Provenance
{
    private const char Separator = '\u001f';

    /// <summary>Returns the sightings with history sightings placed at the commits that introduced them.</summary>
    public static async Task<List<Hit>> ResolveAsync(string root, IReadOnlyList<string> revisions, IReadOnlyCollection<Hit> hits, CancellationToken cancellationToken)
    {
        var wanted = hits.Where(h => h.BlobId is not null).Select(h => h.BlobId!).ToHashSet(StringComparer.Ordinal);
        if (wanted.Count == 0)
        {
            return [.. hits];
        }

        // First only the paths the blobs were seen at, which is cheap; then, for any blob not
        // explained that way (content first committed under another name), every commit.
        var paths = hits.Where(h => h.BlobId is not null).Select(h => h.Location.Path).ToHashSet(StringComparer.Ordinal);
        var introductions = await FindIntroductionsAsync(root, revisions, wanted, paths, cancellationToken).ConfigureAwait(false);
        var unexplained = wanted.Where(id => !introductions.ContainsKey(id)).ToHashSet(StringComparer.Ordinal);
        if (unexplained.Count > 0)
        {
            foreach (var (id, byPath) in await FindIntroductionsAsync(root, revisions, unexplained, null, cancellationToken).ConfigureAwait(false))
            {
                introductions[id] = byPath;
            }
        }

        var resolved = new List<Hit>(hits.Count);
        foreach (var hit in hits)
        {
            if (hit.BlobId is null || !introductions.TryGetValue(hit.BlobId, out var byPath))
            {
                resolved.Add(hit);
                continue;
            }

            foreach (var (path, commit) in byPath)
            {
                // A committed .env file is about its own path, not other files that share its content.
                if (hit.Rule == Rules.EnvFileCommitted && path != hit.Location.Path)
                {
                    continue;
                }

                resolved.Add(hit with { Location = hit.Location with { Path = path, Commit = commit.Hash, Author = commit.Author, Date = commit.Date } });
            }
        }

        return resolved;
    }

    private static async Task<Dictionary<string, Dictionary<string, CommitInfo>>> FindIntroductionsAsync(
        string root, IReadOnlyList<string> revisions, HashSet<string> wanted, HashSet<string>? paths, CancellationToken cancellationToken)
    {
        var result = new Dictionary<string, Dictionary<string, CommitInfo>>(StringComparer.Ordinal);
        using var process = Git.Start(root, ["--literal-pathspecs", "log", .. revisions, "--stdin", "--raw", "-c", "--no-renames", "--no-abbrev", "--no-color", "--format=%x01%H%x1f%an%x1f%aI"]);
        var writer = WritePathsAsync(process.StandardInput, paths, cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        var reader = new StreamReader(process.StandardOutput.BaseStream, new UTF8Encoding(false), false, 1 << 16);
        CommitInfo? current = null;
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            if (line.Length == 0)
            {
                continue;
            }

            if (line[0] == '\u0001')
            {
                var parts = line[1..].Split(Separator);
                current = parts.Length == 3 && DateTimeOffset.TryParse(parts[2], CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
                    ? new CommitInfo(parts[0], parts[1], date)
                    : null;
                continue;
            }

            if (current is null || line[0] != ':')
            {
                continue;
            }

            var tab = line.IndexOf('\t', StringComparison.Ordinal);
            if (tab < 0)
            {
                continue;
            }

            var fields = line[..tab].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 2)
            {
                continue;
            }

            var newId = fields[^2];
            if (!wanted.Contains(newId))
            {
                continue;
            }

            var path = Unquote(line[(tab + 1)..]);
            if (!result.TryGetValue(newId, out var byPath))
            {
                result[newId] = byPath = new Dictionary<string, CommitInfo>(StringComparer.Ordinal);
            }

            if (!byPath.TryGetValue(path, out var known) || current.Date < known.Date)
            {
                byPath[path] = current;
            }
        }

        await writer.ConfigureAwait(false);
        await Git.EnsureSuccessAsync(process, stderr, "log", root, cancellationToken).ConfigureAwait(false);

        return result;
    }

    /// <summary>Gives git log its path limit on standard input (no command-line length limit applies there).</summary>
    private static async Task WritePathsAsync(StreamWriter stdin, HashSet<string>? paths, CancellationToken cancellationToken)
    {
        try
        {
            if (paths is not null)
            {
                stdin.NewLine = "\n";
                await stdin.WriteLineAsync("--").ConfigureAwait(false);
                foreach (var path in paths)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    await stdin.WriteLineAsync(path).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            stdin.Close();
        }
    }

    /// <summary>Undoes git's C-style quoting of unusual paths.</summary>
    internal static string Unquote(string path)
    {
        if (path.Length < 2 || path[0] != '"' || path[^1] != '"')
        {
            return path;
        }

        var bytes = new List<byte>();
        for (var i = 1; i < path.Length - 1; i++)
        {
            var c = path[i];
            if (c != '\\' || i + 1 >= path.Length - 1)
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(c.ToString()));
                continue;
            }

            var next = path[++i];
            switch (next)
            {
                case 'n': bytes.Add((byte)'\n'); break;
                case 't': bytes.Add((byte)'\t'); break;
                case '"': bytes.Add((byte)'"'); break;
                case '\\': bytes.Add((byte)'\\'); break;
                case >= '0' and <= '7' when i + 2 < path.Length - 1:
                    bytes.Add(Convert.ToByte(path.Substring(i, 3), 8));
                    i += 2;
                    break;
                default: bytes.Add((byte)next); break;
            }
        }

        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    private sealed record CommitInfo(string Hash, string Author, DateTimeOffset Date);
}
