using System.Text;
using System.Threading.Channels;
using HogGuard.Detection;

namespace HogGuard.Sources;

/// <summary>
/// Blobs no ref reaches: a secret committed, then removed by a force-push or a rebase, stays in the
/// clone (its reflog, or as a dangling object) until garbage collection. Listed with
/// <c>git fsck --unreachable --no-reflogs --connectivity-only</c> (reflog-only objects count as
/// unreachable, and object contents are not re-hashed); placed afterwards at the reflog entry whose
/// commit wrote them, or called dangling.
/// </summary>
internal static class Unreachable
{
    /// <summary>Queues every unreachable blob for the scanners; returns their ids.</summary>
    public static async Task<IReadOnlySet<string>> ListAsync(string root, ChannelWriter<BlobRef> queue, ScanStatistics stats, CancellationToken cancellationToken)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        using var process = Git.Start(root, "fsck", "--unreachable", "--no-reflogs", "--connectivity-only", "--no-progress");
        process.StandardInput.Close();
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        var reader = new StreamReader(process.StandardOutput.BaseStream, new UTF8Encoding(false), false, 1 << 16);
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            const string Prefix = "unreachable blob ";
            if (line.StartsWith(Prefix, StringComparison.Ordinal) && ids.Add(line[Prefix.Length..].Trim()))
            {
                var id = line[Prefix.Length..].Trim();
                await queue.WriteAsync(new BlobRef(id, $"(unreachable blob {id})"), cancellationToken).ConfigureAwait(false);
            }
        }

        // fsck exits non-zero when it finds damage; the reachable scan reports missing objects itself.
        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        _ = await stderr.ConfigureAwait(false);
        stats.Total = (stats.Total ?? 0) + ids.Count;
        return ids;
    }

    /// <summary>Places sightings in unreachable blobs at the reflog entry that holds them, or marks them dangling.</summary>
    public static async Task<List<Hit>> ResolveAsync(string root, IReadOnlyCollection<Hit> hits, CancellationToken cancellationToken)
    {
        var wanted = hits.Select(h => h.BlobId!).ToHashSet(StringComparer.Ordinal);
        if (wanted.Count == 0)
        {
            return [];
        }

        // The commits only the reflogs reach, with the blobs their diffs wrote: the same log pass as for reachable history.
        var selectors = ReflogSelectors(root);
        var writes = await Provenance.FindWritesAsync(root, ["--reflog", "--not", "--all"], wanted, cancellationToken).ConfigureAwait(false);
        var resolved = new List<Hit>();
        foreach (var hit in hits)
        {
            if (!writes.TryGetValue(hit.BlobId!, out var byPath))
            {
                resolved.Add(hit with { Location = hit.Location with { Unreachable = "dangling" } });
                continue;
            }

            foreach (var (path, commits) in byPath)
            {
                var commit = commits.MinBy(c => c.Date)!;
                var entry = selectors.TryGetValue(commit.Hash, out var selector) ? $"reflog {selector}" : "reflog";
                resolved.Add(hit with
                {
                    Location = hit.Location with { Path = hit.PathWithMember(path), Commit = commit.Hash, Author = commit.Author, Date = commit.Date, Unreachable = entry },
                });
            }
        }

        return resolved;
    }

    /// <summary>For each commit a reflog names, its first selector (e.g. <c>HEAD@{2}</c>).</summary>
    private static Dictionary<string, string> ReflogSelectors(string root)
    {
        var selectors = new Dictionary<string, string>(StringComparer.Ordinal);
        var (code, output, _) = Git.Run(root, "log", "--walk-reflogs", "--all", "--format=%gD %H");
        if (code != 0)
        {
            return selectors;
        }

        foreach (var line in Encoding.UTF8.GetString(output).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var space = line.LastIndexOf(' ');
            if (space > 0)
            {
                selectors.TryAdd(line[(space + 1)..], line[..space]);
            }
        }

        return selectors;
    }
}
