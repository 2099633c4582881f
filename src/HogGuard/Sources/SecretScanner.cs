using HogGuard.Configuration;
using HogGuard.Detection;
using HogGuard.IO;

namespace HogGuard.Sources;

/// <summary>The entry point of scanning: reads the chosen source and returns merged, filtered findings.</summary>
public static class SecretScanner
{
    /// <summary>Scans a folder, file, repository history or staged change, as <paramref name="options"/> says.</summary>
    /// <exception cref="ScanInputException">The path does not exist or is not a repository where one is needed.</exception>
    /// <exception cref="GitException">git is missing or failed.</exception>
    public static async Task<ScanResult> ScanAsync(ScanOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Mode == ScanMode.Stream)
        {
            throw new ArgumentException("use ScanStream for standard input", nameof(options));
        }

        var root = Path.GetFullPath(options.Path);
        if (!Path.Exists(root))
        {
            throw new ScanInputException($"{options.Path} does not exist; pass a folder, a file, '-' for standard input, or leave PATH out to scan the current folder");
        }

        var sink = new FindingSet();
        var stats = new ScanStatistics { Unit = options.Mode == ScanMode.History ? ScanUnit.Blobs : ScanUnit.Files };
        var warnings = new List<string>();
        IReadOnlyCollection<Hit> hits;
        switch (options.Mode)
        {
            case ScanMode.History:
                hits = await HistorySource.ScanAsync(options, root, sink, stats, warnings, cancellationToken).ConfigureAwait(false);
                break;
            case ScanMode.Staged:
                StagedSource.Scan(root, sink, stats);
                hits = sink.Hits;
                break;
            default:
                await Task.Run(() => WorkingTreeSource.Scan(options, root, sink, stats, warnings, cancellationToken), cancellationToken).ConfigureAwait(false);
                hits = sink.Hits;
                break;
        }

        return Finish(sink, hits, options.Config, stats, warnings, options.AllCommits);
    }

    /// <summary>Scans a stream such as standard input; <paramref name="name"/> is the path reports show.</summary>
    public static ScanResult ScanStream(Stream input, HogGuardConfig? config = null, string name = "<stdin>") =>
        ScanStream(input, new ScanOptions { Config = config ?? HogGuardConfig.Default }, name);

    /// <summary>Scans a stream such as standard input with <paramref name="options"/>' configuration and archive limits; <paramref name="name"/> is the path reports show.</summary>
    public static ScanResult ScanStream(Stream input, ScanOptions options, string name = "<stdin>")
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(options);
        var sink = new FindingSet();
        var stats = new ScanStatistics { Unit = ScanUnit.Input };
        var counted = new CountingStream(input);
        if (new ContentScanner(sink, options.Archives).Scan(counted, -1, name) == ContentOutcome.Binary)
        {
            stats.AddBinary();
        }
        else
        {
            stats.AddScanned(counted.BytesRead);
        }

        return Finish(sink, sink.Hits, options.Config, stats, []);
    }

    private static ScanResult Finish(FindingSet sink, IReadOnlyCollection<Hit> hits, HogGuardConfig config, ScanStatistics stats, List<string> warnings, bool allCommits = false)
    {
        warnings.AddRange(sink.Notes.Distinct(StringComparer.Ordinal));
        var kept = config.AllowPaths.Count == 0 ? hits : [.. hits.Where(h => !PathGlob.AnyMatch(config.AllowPaths, h.Location.Path))];
        kept = EnvFiles.AssessCommitted(kept);
        return new ScanResult
        {
            Findings = FindingSet.Merge(kept, allCommits),
            Statistics = stats,
            Warnings = warnings.Order(StringComparer.Ordinal).ToList(),
        };
    }

    /// <summary>Hides findings a baseline already knows.</summary>
    public static ScanResult ApplyBaseline(ScanResult result, Baseline baseline)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(baseline);
        var kept = result.Findings.Where(f => !baseline.Contains(f)).ToList();
        return result.WithFindings(kept, result.Findings.Count - kept.Count);
    }
}
