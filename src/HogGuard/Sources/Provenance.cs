using System.Text;
using HogGuard.Detection;

namespace HogGuard.Sources;

/// <summary>
/// Places the blobs that hold findings at every path each was ever written at and the commits that
/// wrote it there, from the writes the history listing recorded (<see cref="HistoryLog"/>, one pass
/// over <c>git log --raw</c>, merges included as combined diffs), or for unreachable blobs from a
/// log of the reflog. One blob is one content, so the same <c>.env</c> committed as three files is
/// three paths of one finding. By default each path keeps its earliest commit; with all commits,
/// every commit that wrote the blob at that path. Sightings in blobs that no commit diff names
/// (reached only by a tag) keep the path rev-list gave.
/// </summary>
internal static class Provenance
{
    /// <summary>Returns the sightings with history sightings placed at the commits that introduced them, one per path (and per commit with <paramref name="allCommits"/>).</summary>
    /// <param name="hits">The sightings.</param>
    /// <param name="findWrites">For a set of blobs, each path each was written at and the commits that wrote it there (<see cref="HistoryLog.WritesOf"/>).</param>
    /// <param name="allCommits">Every commit that wrote the blob at a path, not only the first.</param>
    public static async Task<List<Hit>> ResolveAsync(IReadOnlyCollection<Hit> hits, Func<IReadOnlySet<string>, Task<Dictionary<string, Dictionary<string, List<CommitInfo>>>>> findWrites, bool allCommits)
    {
        var wanted = hits.Where(h => h.BlobId is not null).Select(h => h.BlobId!).ToHashSet(StringComparer.Ordinal);
        if (wanted.Count == 0)
        {
            return [.. hits];
        }

        // Every path, not only the one the blob was first seen at: a copy of the content under
        // another name is the same blob, and the person cleaning up needs every path.
        var writes = await findWrites(wanted).ConfigureAwait(false);
        var resolved = new List<Hit>(hits.Count);
        foreach (var hit in hits)
        {
            if (hit.BlobId is null || !writes.TryGetValue(hit.BlobId, out var byPath))
            {
                resolved.Add(hit);
                continue;
            }

            foreach (var (path, commits) in byPath)
            {
                // A committed .env finding is about env files, not other files that share its content.
                if (hit.Rule == Rules.EnvFileCommitted && !(EnvFiles.IsEnvFile(path) && !EnvFiles.IsTemplate(path)))
                {
                    continue;
                }

                foreach (var commit in allCommits ? commits.OrderBy(c => c.Date).ToList() : [commits.MinBy(c => c.Date)!])
                {
                    var location = hit.Location with { Path = hit.PathWithMember(path), Commit = commit.Hash, Author = commit.Author, Date = commit.Date };

                    // Each committed env file is its own finding (its fingerprint is of its path).
                    resolved.Add(hit.Rule == Rules.EnvFileCommitted && path != hit.Location.Path
                        ? EnvFiles.CommittedHit(path, location, hit.BlobId)
                        : hit with { Location = location });
                }
            }
        }

        return resolved;
    }

    /// <summary>For each wanted blob, each path it was written at and the commits that wrote it there, over the commits <paramref name="revisions"/> name (for blobs outside the scanned history's own listing: unreachable ones, a partial clone's).</summary>
    internal static async Task<Dictionary<string, Dictionary<string, List<CommitInfo>>>> FindWritesAsync(
        string root, IReadOnlyList<string> revisions, IReadOnlySet<string> wanted, CancellationToken cancellationToken)
    {
        var log = new HistoryLog();
        await log.ListAsync(root, revisions, null, null, cancellationToken).ConfigureAwait(false);
        return log.WritesOf(wanted);
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

    internal sealed record CommitInfo(string Hash, string Author, DateTimeOffset Date);
}
