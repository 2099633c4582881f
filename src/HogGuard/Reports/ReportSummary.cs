using HogGuard.Detection;
using HogGuard.Sources;

namespace HogGuard.Reports;

/// <summary>What every report format says about a scan beyond its findings.</summary>
/// <param name="Result">The findings and statistics.</param>
/// <param name="FailOn">The lowest severity that fails the run; null never fails (report only).</param>
public sealed record ReportSummary(ScanResult Result, Severity? FailOn)
{
    /// <summary>Whether only secrets PostHog accepts (or could not judge) fail the run; see <see cref="LiveGate"/>.</summary>
    public LiveGate Live { get; init; }

    /// <summary>What was examined, in words, when it is not files (e.g. "5 keys in 2 environments").</summary>
    public string? Subject { get; init; }

    /// <summary>How many findings have this severity.</summary>
    public int Count(Severity severity) => Result.Findings.Count(f => f.Severity == severity);

    /// <summary>True when a finding fails the run (<see cref="Fails"/>): the scan exits 1.</summary>
    public bool Failed => Result.Findings.Any(Fails);

    /// <summary>How <see cref="FailOn"/> is written in reports: a severity name, or <c>none</c>.</summary>
    public string FailOnName => FailOn?.Name() ?? "none";

    /// <summary>Whether this finding alone would fail the run.</summary>
    public bool Fails(Finding finding)
    {
        ArgumentNullException.ThrowIfNull(finding);
        if (FailOn is not { } threshold || finding.Severity < threshold)
        {
            return false;
        }

        var status = finding.Verification?.Status;
        return Live switch
        {
            LiveGate.LiveOnly => status == VerificationStatus.Live,
            LiveGate.LiveOrUnverified => status is VerificationStatus.Live or VerificationStatus.Unknown or VerificationStatus.Unreachable,
            _ => true,
        };
    }
}
