using HogGuard.Detection;

namespace HogGuard.Sources;

/// <summary>What a scan found, with its counters and any warnings (such as missing objects).</summary>
public sealed class ScanResult
{
    /// <summary>What was found, one finding per secret.</summary>
    public required IReadOnlyList<Finding> Findings { get; init; }

    /// <summary>What was read.</summary>
    public required ScanStatistics Statistics { get; init; }

    /// <summary>What was skipped or could not be read, in words.</summary>
    public required IReadOnlyList<string> Warnings { get; init; }

    /// <summary>Findings hidden by a baseline.</summary>
    public int Suppressed { get; init; }

    /// <summary>The same scan with other findings (after a baseline or a live check), and how many were suppressed.</summary>
    public ScanResult WithFindings(IReadOnlyList<Finding> findings, int suppressed) => new()
    {
        Findings = findings,
        Statistics = Statistics,
        Warnings = Warnings,
        Suppressed = Suppressed + suppressed,
    };
}
