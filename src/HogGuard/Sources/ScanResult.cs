using HogGuard.Detection;

namespace HogGuard.Sources;

/// <summary>What a scan found, with its counters and any warnings (such as missing objects).</summary>
public sealed class ScanResult
{
    public required IReadOnlyList<Finding> Findings { get; init; }

    public required ScanStatistics Statistics { get; init; }

    public required IReadOnlyList<string> Warnings { get; init; }

    /// <summary>Findings hidden by a baseline.</summary>
    public int Suppressed { get; init; }

    public ScanResult WithFindings(IReadOnlyList<Finding> findings, int suppressed) => new()
    {
        Findings = findings,
        Statistics = Statistics,
        Warnings = Warnings,
        Suppressed = Suppressed + suppressed,
    };
}
