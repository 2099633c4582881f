using System.Diagnostics;
using System.Text;
using System.Threading.Channels;
using HogGuard.Detection;
using HogGuard.Sources.Packs;

namespace HogGuard.Sources;

/// <summary>
/// Scans every blob reachable from any ref, each exactly once: one <c>git log --raw</c> pass
/// (<see cref="HistoryLog"/>) names the unique blobs and records where each was written, several
/// <c>git cat-file --batch</c> workers stream them, and the few blobs that hold findings are placed
/// from what the listing recorded. Partial clones are listed by <c>git rev-list --missing=print</c>.
/// </summary>
internal static class HistorySource
{
    public static async Task<List<Hit>> ScanAsync(ScanOptions options, string root, FindingSet sink, ScanStatistics stats, List<string> warnings, CancellationToken cancellationToken)
    {
        RequireRepository(root, "--history");
        IReadOnlyList<string> revisions = options.Range is { } range ? ResolveRange(root, range) : ["--all"];
        if (options.Range is null)
        {
            NoteShallow(root, stats, warnings);
        }

        var queue = Channel.CreateBounded<BlobRef>(new BoundedChannelOptions(8192) { SingleWriter = true });

        // A failed worker stops the listing, so nothing waits for ever on a queue nobody empties;
        // the worker's own error is what the caller sees.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var partial = IsPartialClone(root);
        using var store = partial || options.ReadBlobsWithGit ? null : OpenPacks(root);
        var workers = Enumerable.Range(0, Math.Max(1, options.Parallelism))
            .Select(_ => (store is null
                    ? new CatFileWorker(root, queue.Reader, sink, stats, options).RunAsync(stop.Token)
                    : Task.Run(() => new PackWorker(root, store, queue.Reader, sink, stats, options).RunAsync(stop.Token), stop.Token))
                .ContinueWith(
                    t =>
                    {
                        if (t.IsFaulted)
                        {
                            stop.Cancel();
                        }

                        return t;
                    },
                    CancellationToken.None,
                    TaskContinuationOptions.ExecuteSynchronously,
                    TaskScheduler.Default)
                .Unwrap())
            .ToList();
        var envBlobs = new HashSet<BlobRef>();
        IReadOnlySet<string> unreachable = new HashSet<string>();
        var log = new HistoryLog();
        Func<IReadOnlySet<string>, Task<Dictionary<string, Dictionary<string, List<Provenance.CommitInfo>>>>> findWrites = wanted => Task.FromResult(log.WritesOf(wanted));
        try
        {
            if (partial)
            {
                // A partial clone's missing blobs would make cat-file stop (it may not fetch them):
                // rev-list names them as missing instead, and commits are looked up afterwards.
                await ListBlobsAsync(root, revisions, queue.Writer, stats, envBlobs, _ => false, stop.Token).ConfigureAwait(false);
                findWrites = wanted => Provenance.FindWritesAsync(root, revisions, wanted, cancellationToken);
            }
            else
            {
                try
                {
                    await log.ListAsync(root, revisions, queue.Writer, envBlobs, stop.Token).ConfigureAwait(false);

                    // The listing is done: progress can now say "of N".
                    stats.Total = log.BlobCount;
                }
                catch (GitException e)
                {
                    // A damaged repository (a tree git cannot read): rev-list lists what it can and
                    // counts what is missing; blobs the log did not reach keep rev-list's path.
                    warnings.Add($"git log could not read the whole history ({e.Message}); the rest of the blobs were listed with git rev-list, and findings in them are placed at the path it gives, without a commit");
                    await ListBlobsAsync(root, revisions, queue.Writer, stats, envBlobs, log.Listed, stop.Token).ConfigureAwait(false);
                }
            }
            if (options.Unreachable)
            {
                unreachable = await Unreachable.ListAsync(root, queue.Writer, stats, stop.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // A worker failed: its exception is rethrown below.
        }
        finally
        {
            queue.Writer.TryComplete();
        }

        await Task.WhenAll(workers).ConfigureAwait(false);
        foreach (var blob in envBlobs)
        {
            sink.Add(EnvFiles.CommittedHit(blob.Path, blobId: blob.Id));
        }

        if (stats.SkippedTooLarge > 0)
        {
            warnings.Add($"skipped {stats.SkippedTooLarge:N0} blobs over the {options.Config.MaxFileSize:N0}-byte limit (scan.max_file_size or --max-file-size)");
        }

        if (stats.MissingObjects > 0)
        {
            stats.PartialClone = partial;
            warnings.Add(stats.PartialClone
                ? $"{stats.MissingObjects:N0} objects are missing: this is a partial clone, whose blobs live on its promisor remote; their content was not scanned. Scan a full clone to cover them."
                : $"{stats.MissingObjects:N0} objects are missing or unreadable in the repository (a damaged clone); their content was not scanned. Run 'git fsck' to see them, or scan a healthy clone.");
        }

        var resolved = await Provenance.ResolveAsync(sink.Hits.Where(h => h.BlobId is null || !unreachable.Contains(h.BlobId)).ToList(), findWrites, options.AllCommits).ConfigureAwait(false);
        if (unreachable.Count > 0)
        {
            resolved.AddRange(await Unreachable.ResolveAsync(root, sink.Hits.Where(h => h.BlobId is not null && unreachable.Contains(h.BlobId)).ToList(), cancellationToken).ConfigureAwait(false));
        }

        return resolved;
    }

    /// <summary>
    /// The repository's packs and loose objects for the in-process reader, with a delta base cache
    /// shared by the readers; null where that reader does not apply (git reads the blobs then).
    /// </summary>
    private static PackRepository? OpenPacks(string root)
    {
        try
        {
            var common = Encoding.UTF8.GetString(Git.RunChecked(root, "rev-parse", "--path-format=absolute", "--git-common-dir")).Trim();
            return PackRepository.Open(common, new DeltaBaseCache(DeltaCacheBytes));
        }
        catch (Exception e) when (e is GitException or IOException or UnauthorizedAccessException or InvalidDataException)
        {
            return null;
        }
    }

    /// <summary>The shared delta base cache: 64 MiB (16 MiB made reading in listing order a fifth slower on the benchmark repository).</summary>
    private const long DeltaCacheBytes = 64L << 20;

    /// <summary>A partial clone names itself in its configuration (<c>extensions.partialClone</c>, or a promisor remote).</summary>
    private static bool IsPartialClone(string root)
    {
        try
        {
            var config = System.Text.Encoding.UTF8.GetString(Git.RunChecked(root, "config", "--list"));
            return config.Split('\n').Any(l => l.StartsWith("extensions.partialclone=", StringComparison.OrdinalIgnoreCase)
                || (l.StartsWith("remote.", StringComparison.OrdinalIgnoreCase) && l.Contains(".promisor=true", StringComparison.OrdinalIgnoreCase)));
        }
        catch (GitException)
        {
            return false;
        }
    }

    /// <summary>Throws a clear input error when <paramref name="root"/> is not a repository.</summary>
    public static void RequireRepository(string root, string flag)
    {
        if (!Directory.Exists(root))
        {
            throw new ScanInputException($"{root} is not a folder; {flag} needs the path of a git repository");
        }

        if (Git.WhyNotRepository(root) is { } reason)
        {
            throw new ScanInputException($"{root} is not a git repository ({reason}); {flag} needs a repository (a work tree, or a bare or mirror clone): run it inside one or pass its path");
        }
    }

    /// <summary>Both ends of a range must be commits here; a shallow clone may lack the base, and says so.</summary>
    private static IReadOnlyList<string> ResolveRange(string root, HistoryRange range)
    {
        foreach (var end in new[] { range.Exclude, range.Include }.OfType<string>())
        {
            var (code, _, _) = Git.Run(root, "rev-parse", "--verify", "--quiet", "--end-of-options", end + "^{commit}");
            if (code != 0)
            {
                var hint = IsShallow(root) ? $"; this is a shallow clone, so fetch it ('git fetch origin {end}') or clone with full history (fetch-depth: 0)" : "; fetch it, or check the name";
                throw new ScanInputException($"'{end}' (in --range/--since {range}) is not a commit in this repository{hint}");
            }
        }

        return range.Revisions;
    }

    private static bool IsShallow(string root) =>
        Git.Run(root, "rev-parse", "--is-shallow-repository") is (0, var output, _) && Encoding.UTF8.GetString(output).Trim() == "true";

    /// <summary>
    /// A shallow clone (CI checkouts are, by default) holds only the newest commits: the history
    /// scan then silently misses every secret older than them, so say so, with how many commits are here.
    /// </summary>
    private static void NoteShallow(string root, ScanStatistics stats, List<string> warnings)
    {
        if (!IsShallow(root))
        {
            return;
        }

        var count = Git.Run(root, "rev-list", "--count", "--all") is (0, var output, _) && long.TryParse(Encoding.UTF8.GetString(output).Trim(), System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : 0;
        stats.ShallowCommits = count;
        warnings.Add($"this is a shallow clone: only {count:N0} commit(s) of history are here, so older commits were not scanned; run 'git fetch --unshallow' (in GitHub Actions: actions/checkout with fetch-depth: 0) to scan the whole history");
    }

    private static async Task ListBlobsAsync(string root, IReadOnlyList<string> revisions, ChannelWriter<BlobRef> queue, ScanStatistics stats, HashSet<BlobRef> envBlobs, Func<string, bool> alreadyListed, CancellationToken cancellationToken)
    {
        using var process = Git.Start(root, [.. Git.BoundedMemory, "rev-list", "--objects", .. revisions, "--filter=object:type=blob", "--missing=print"]);
        process.StandardInput.Close();
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            await ReadBlobListAsync(process, queue, stats, envBlobs, alreadyListed, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            Git.TryKill(process);
            throw;
        }

        await Git.EnsureSuccessAsync(process, stderr, "rev-list", root, cancellationToken).ConfigureAwait(false);
    }

    private static async Task ReadBlobListAsync(Process process, ChannelWriter<BlobRef> queue, ScanStatistics stats, HashSet<BlobRef> envBlobs, Func<string, bool> alreadyListed, CancellationToken cancellationToken)
    {
        var reader = new StreamReader(process.StandardOutput.BaseStream, new UTF8Encoding(false), false, 1 << 16);
        long listed = 0;
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            if (line.Length == 0)
            {
                continue;
            }

            if (line[0] == '?')
            {
                stats.AddMissing();
                continue;
            }

            var space = line.IndexOf(' ', StringComparison.Ordinal);
            if (space < 0)
            {
                continue; // a commit
            }

            // A blob a tag points at directly has no path: name it so a report can still say where.
            var id = line[..space];
            if (alreadyListed(id))
            {
                listed++;
                continue;
            }

            var blob = new BlobRef(id, space == line.Length - 1 ? $"(blob {id} reached by a tag)" : line[(space + 1)..]);
            if (EnvFiles.IsEnvFile(blob.Path) && !EnvFiles.IsTemplate(blob.Path))
            {
                envBlobs.Add(blob);
            }

            await queue.WriteAsync(blob, cancellationToken).ConfigureAwait(false);
            listed++;
        }

        stats.Total = listed;
    }
}
