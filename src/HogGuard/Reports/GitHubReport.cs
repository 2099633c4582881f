using System.Text;
using HogGuard.Detection;

namespace HogGuard.Reports;

/// <summary>
/// GitHub Actions workflow commands, one per place a finding sits
/// (<c>::error file=src/app.env,line=3,col=14,title=posthog-personal-api-key::...</c>): the runner
/// turns them into annotations on the pull request's files. Critical and high findings are errors,
/// medium warnings, low notices. Annotations carry masks and fingerprints only.
/// </summary>
public static class GitHubReport
{
    /// <summary>Writes the annotations, then a one-line summary, to <paramref name="output"/>.</summary>
    public static void Write(Stream output, ReportSummary summary)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(summary);
        var text = new StringBuilder();
        foreach (var finding in summary.Result.Findings)
        {
            foreach (var location in finding.Locations)
            {
                text.Append("::").Append(Command(finding.Severity)).Append(' ');
                text.Append("file=").Append(Property(location.Path));
                if (location.Line is { } line)
                {
                    text.Append(",line=").Append(line.ToString(System.Globalization.CultureInfo.InvariantCulture));
                    if (location.Column is { } column)
                    {
                        text.Append(",col=").Append(column.ToString(System.Globalization.CultureInfo.InvariantCulture));
                    }
                }

                text.Append(",title=").Append(Property($"{finding.Rule.Id} ({finding.Severity.Name()})"));
                text.Append("::").Append(Data(Message(finding, location))).Append('\n');
            }
        }

        var count = summary.Result.Findings.Count;
        text.Append(count == 0 ? "hogguard: no PostHog secrets found" : $"hogguard: {count} finding(s); {(summary.Failed ? "failing" : "not failing")} at --fail-on {summary.FailOnName}").Append('\n');
        output.Write(Encoding.UTF8.GetBytes(text.ToString()));
    }

    private static string Command(Severity severity) => severity switch
    {
        Severity.Critical or Severity.High => "error",
        Severity.Medium => "warning",
        _ => "notice",
    };

    private static string Message(Finding finding, Location location)
    {
        var message = new StringBuilder($"{finding.Rule.Title}: {finding.Masked} (sha256:{finding.Fingerprint})");
        if (location.Commit is { } commit)
        {
            message.Append(" introduced in commit ").Append(commit[..Math.Min(12, commit.Length)]);
        }

        if (location.Unreachable is { } reach)
        {
            message.Append(" (unreachable: ").Append(reach).Append(')');
        }

        if (location.Encoding is { } encoding)
        {
            message.Append(" (written ").Append(encoding).Append("-encoded)");
        }

        if (finding.Verification is { } verification)
        {
            message.Append("; PostHog: ").Append(verification.Status.ToString().ToLowerInvariant());
        }

        if (finding.Detail is { } detail)
        {
            message.Append("; ").Append(detail);
        }

        return message.Append(". ").Append(finding.Rule.Fix).ToString();
    }

    /// <summary>A message escaped as the runner reads it back (<c>%</c>, CR and LF).</summary>
    internal static string Data(string text) =>
        text.Replace("%", "%25", StringComparison.Ordinal).Replace("\r", "%0D", StringComparison.Ordinal).Replace("\n", "%0A", StringComparison.Ordinal);

    /// <summary>A property value, which also escapes <c>:</c> and <c>,</c>.</summary>
    internal static string Property(string text) =>
        Data(text).Replace(":", "%3A", StringComparison.Ordinal).Replace(",", "%2C", StringComparison.Ordinal);
}
