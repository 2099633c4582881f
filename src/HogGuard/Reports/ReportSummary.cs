using HogGuard.Detection;
using HogGuard.Sources;

namespace HogGuard.Reports;

/// <summary>What every report format says about a scan beyond its findings.</summary>
public sealed record ReportSummary(ScanResult Result, Severity FailOn)
{
    /// <summary>What was examined, in words, when it is not files (e.g. "5 keys in 2 environments").</summary>
    public string? Subject { get; init; }

    /// <summary>How many findings have this severity.</summary>
    public int Count(Severity severity) => Result.Findings.Count(f => f.Severity == severity);

    /// <summary>True when a finding is at or above <see cref="FailOn"/>: the scan exits 1.</summary>
    public bool Failed => Result.Findings.Any(f => f.Severity >= FailOn);
}
