namespace HogGuard.Detection;

/// <summary>
/// How far the scanner reads into archives (<c>.zip</c>, <c>.jar</c>, <c>.nupkg</c>, <c>.whl</c>,
/// <c>.tar</c>, <c>.tgz</c>, <c>.gz</c>, ...), with limits that make a decompression bomb harmless:
/// reaching one stops reading that archive (or skips that member) with a note, never a crash or a hang.
/// </summary>
public sealed record ArchiveLimits
{
    /// <summary>The defaults: two levels of nesting, 256 MB unpacked, 10,000 members, 100 to 1.</summary>
    public static ArchiveLimits Default { get; } = new();

    /// <summary>Archives opened inside one another: 2 reads an archive inside an archive, not a third level.</summary>
    public int MaxDepth { get; init; } = 2;

    /// <summary>Bytes unpacked from one archive (its nested archives included) before reading stops.</summary>
    public long MaxBytes { get; init; } = 256L * 1024 * 1024;

    /// <summary>Members read from one archive (its nested archives included) before reading stops.</summary>
    public int MaxMembers { get; init; } = 10_000;

    /// <summary>A member that unpacks to more than this many times its packed size is skipped (past <see cref="RatioFloorBytes"/>).</summary>
    public int MaxRatio { get; init; } = 100;

    /// <summary>Unpacked bytes below which the ratio is not checked (small, very repetitive files are fine).</summary>
    public long RatioFloorBytes { get; init; } = 1024 * 1024;
}
