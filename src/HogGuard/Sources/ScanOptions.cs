using HogGuard.Configuration;
using HogGuard.Detection;

namespace HogGuard.Sources;

/// <summary>How to scan.</summary>
public sealed class ScanOptions
{
    /// <summary>What to read.</summary>
    public ScanMode Mode { get; init; } = ScanMode.WorkingTree;

    /// <summary>Folder (or file) to scan; for history and staged scans, a path inside the repository.</summary>
    public string Path { get; init; } = ".";

    /// <summary>Ignore git and read every file under <see cref="Path"/>.</summary>
    public bool NoGit { get; init; }

    /// <summary>The configuration (allow paths, size limit).</summary>
    public HogGuardConfig Config { get; init; } = HogGuardConfig.Default;

    /// <summary>Threads that scan content; defaults to the number of cores.</summary>
    public int Parallelism { get; init; } = Environment.ProcessorCount;

    /// <summary>For <see cref="ScanMode.History"/>: only the commits of this range (default: every ref).</summary>
    public HistoryRange? Range { get; init; }

    /// <summary>
    /// For <see cref="ScanMode.History"/>: a finding lists every commit that wrote its blob at each
    /// path, not only the first (as gitleaks reports one finding per commit).
    /// </summary>
    public bool AllCommits { get; init; }

    /// <summary>
    /// For <see cref="ScanMode.History"/> of every ref: also scan blobs no ref reaches (held only by
    /// reflog entries, or dangling after a force-push or rebase), until git's garbage collection.
    /// </summary>
    public bool Unreachable { get; init; }

    /// <summary>
    /// For <see cref="ScanMode.History"/>: read blobs through <c>git cat-file</c> processes even where
    /// HogGuard's own pack reader could read them (it cannot read SHA-256 repositories, alternates or
    /// partial clones, and uses git there anyway).
    /// </summary>
    public bool ReadBlobsWithGit { get; init; }

    /// <summary>How far to read into archives in the tree and in history; null to leave them unopened (<c>--no-archives</c>).</summary>
    public ArchiveLimits? Archives { get; init; } = ArchiveLimits.Default;

    /// <summary>Receives counts while a long scan runs.</summary>
    public IProgress<ScanStatistics>? Progress { get; init; }
}
