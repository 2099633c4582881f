using HogGuard.Detection;

namespace HogGuard.Reports;

/// <summary>The lower-case names reports and options use.</summary>
internal static class ReportNames
{
    public static string Name(this Severity severity) => severity switch
    {
        Severity.Low => "low",
        Severity.Medium => "medium",
        Severity.High => "high",
        Severity.Critical => "critical",
        _ => throw new ArgumentOutOfRangeException(nameof(severity)),
    };

    /// <summary>Dates as every report writes them: ISO 8601 to the second, with the offset.</summary>
    public static string? FormatDate(DateTimeOffset? date) =>
        date?.ToString("yyyy-MM-ddTHH:mm:sszzz", System.Globalization.CultureInfo.InvariantCulture);

    public static bool TryParseSeverity(string? text, out Severity severity)
    {
        foreach (var candidate in Enum.GetValues<Severity>())
        {
            if (string.Equals(candidate.Name(), text, StringComparison.OrdinalIgnoreCase))
            {
                severity = candidate;
                return true;
            }
        }

        severity = default;
        return false;
    }
}
