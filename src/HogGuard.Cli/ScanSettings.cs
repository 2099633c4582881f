using HogGuard.Detection;
using HogGuard.Reports;
using HogGuard.Sources;

namespace HogGuard.Cli;

/// <summary>The parsed options of <c>hogguard scan</c>.</summary>
internal sealed record ScanSettings
{
    public string Path { get; init; } = ".";

    public bool History { get; init; }

    public bool Staged { get; init; }

    public bool NoGit { get; init; }

    public string Format { get; init; } = "text";

    public string? Output { get; init; }

    /// <summary>A second report, in SARIF, written beside whatever --format prints (--sarif).</summary>
    public string? Sarif { get; init; }

    /// <summary>The lowest severity that fails the scan; null for --fail-on none.</summary>
    public Severity? FailOn { get; init; } = Severity.High;

    public LiveGate FailOnLive { get; init; }

    public bool NoBaseline { get; init; }

    public HistoryRange? Range { get; init; }

    public bool FailOnShallow { get; init; }

    public bool AllCommits { get; init; }

    public bool Unreachable { get; init; }

    public string? Baseline { get; init; }

    public string? WriteBaseline { get; init; }

    public string? Config { get; init; }

    public string? MaxFileSize { get; init; }

    public bool NoArchives { get; init; }

    public string? ArchiveMaxSize { get; init; }

    public bool NoProgress { get; init; }

    public int Threads { get; init; } = Environment.ProcessorCount;

    public bool Verify { get; init; }

    public bool Revoke { get; init; }

    public bool Yes { get; init; }

    /// <summary>An unreadable file or folder is only a warning (default: exit 2, since its content is unknown).</summary>
    public bool SkipUnreadable { get; init; }

    /// <summary>Missing or damaged objects in a history scan are only a warning (a partial clone's always are).</summary>
    public bool AllowMissingObjects { get; init; }

    public IReadOnlyList<string> Hosts { get; init; } = [];

    public IReadOnlyList<string> IngestionHosts { get; init; } = [];
}
