using System.Globalization;
using HogGuard.Detection;
using HogGuard.Reports;
using Spectre.Console;

namespace HogGuard.Cli;

/// <summary>How the text report looks: a table on a terminal of a known width, one line per place otherwise.</summary>
/// <param name="Width">The terminal's width for the table; null writes lines, never wrapped (logs and files wrap themselves).</param>
/// <param name="Colour">ANSI colour (<c>--color</c>).</param>
internal sealed record TextStyle(int? Width, bool Colour)
{
    public static TextStyle Plain { get; } = new(null, false);
}

/// <summary>
/// The human report: a summary line, the findings (masked, fingerprinted) and what to do about each
/// rule. On a terminal the findings are a table at the terminal's width; piped or written to a file
/// they are one line per place a finding sits, <c>severity rule masked fingerprint path:line:col commit</c>,
/// which a CI log shows whole and grep can read.
/// </summary>
internal static class TextReport
{
    public static void Write(TextWriter writer, ReportSummary summary, TextStyle style)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = style.Colour ? AnsiSupport.Yes : AnsiSupport.No,
            ColorSystem = style.Colour ? ColorSystemSupport.Standard : ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });

        // Lines are never wrapped: the widest line decides, not a guess at a log viewer's width.
        console.Profile.Width = style.Width ?? int.MaxValue / 4;
        var result = summary.Result;
        var scanned = summary.Subject ?? Scanned(result.Statistics);
        if (result.Findings.Count == 0)
        {
            var clean = summary.Subject is null ? "No PostHog secrets found" : "No findings: every key is within its policy";
            console.MarkupLine($"[green]{clean}[/] ({Markup.Escape(scanned)}{Suppressed(result.Suppressed)}).");
            return;
        }

        var counts = string.Join(", ", Enum.GetValues<Severity>().Reverse().Where(s => summary.Count(s) > 0).Select(s => $"{summary.Count(s)} {s.Name()}"));
        console.MarkupLine($"[bold]{result.Findings.Count} finding(s)[/] ({Markup.Escape(counts)}) in {Markup.Escape(scanned)}{Suppressed(result.Suppressed)}.");

        // Key audits read best as one group per environment; scans have one.
        var byEnvironment = result.Findings.Any(f => f.Environment is not null);
        foreach (var group in result.Findings.GroupBy(f => f.Environment).OrderBy(g => g.Key is null ? 1 : 0).ThenBy(g => g.Key, StringComparer.Ordinal))
        {
            if (byEnvironment)
            {
                console.WriteLine();
                console.MarkupLine($"[bold underline]{Markup.Escape(group.Key ?? "across environments")}[/]");
            }

            if (style.Width is null)
            {
                WriteLines(console, group);
            }
            else
            {
                console.Write(Table(group));
            }
        }

        console.WriteLine();
        foreach (var rule in result.Findings.Select(f => f.Rule).Distinct())
        {
            console.MarkupLine($"[bold]{Markup.Escape(rule.Id)}[/]: {Markup.Escape(rule.Fix)}");
        }

        if (!summary.Failed)
        {
            console.MarkupLine(Markup.Escape(NotFailing(summary)));
        }
    }

    private static string NotFailing(ReportSummary summary) => summary switch
    {
        { FailOn: null } => "Report only (--fail-on none): exit 0.",
        { Live: LiveGate.LiveOnly } => $"No secret PostHog accepts at or above '{summary.FailOnName}' (--fail-on-live=strict): exit 0.",
        { Live: LiveGate.LiveOrUnverified } => $"No secret at or above '{summary.FailOnName}' that PostHog accepts or could not judge (--fail-on-live): exit 0.",
        _ => $"Nothing at or above '{summary.FailOnName}': exit 0.",
    };

    /// <summary>What was read, in the words of the source: blobs for history, files otherwise.</summary>
    internal static string Scanned(HogGuard.Sources.ScanStatistics stats)
    {
        var unit = stats.Unit switch
        {
            HogGuard.Sources.ScanUnit.Blobs => "blobs",
            HogGuard.Sources.ScanUnit.Input => "standard input",
            _ => "files",
        };
        return stats.Unit == HogGuard.Sources.ScanUnit.Input
            ? string.Create(CultureInfo.InvariantCulture, $"{unit}, {FormatBytes(stats.Bytes)}")
            : string.Create(CultureInfo.InvariantCulture, $"{stats.Files:N0} {unit}, {FormatBytes(stats.Bytes)}");
    }

    private static void WriteLines(IAnsiConsole console, IEnumerable<Finding> findings)
    {
        foreach (var finding in findings)
        {
            var verdict = finding.Verification is { } v ? " " + Describe(v).Replace('\n', ';') : string.Empty;
            var detail = finding.Detail is null ? string.Empty : $" ({finding.Detail})";
            foreach (var location in finding.Locations.DefaultIfEmpty(new Location("-")))
            {
                var commit = location.Commit is null ? string.Empty : " " + ShortCommit(location.Commit);
                console.MarkupLine($"[{Style(finding.Severity)}]{finding.Severity.Name()}[/] {Markup.Escape($"{finding.Rule.Id} {finding.Masked} {finding.Fingerprint} {Place(location)}{commit}{Reach(location)}{verdict}{detail}")}");
            }
        }
    }

    private static Table Table(IEnumerable<Finding> findings)
    {
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn("Severity")
            .AddColumn("Rule")
            .AddColumn("Secret")
            .AddColumn("Fingerprint")
            .AddColumn("Where");
        foreach (var finding in findings)
        {
            var secret = finding.Verification is { } v ? finding.Masked + "\n" + Describe(v) : finding.Masked;
            if (finding.Detail is not null)
            {
                secret += "\n" + finding.Detail;
            }

            table.AddRow(
                new Markup($"[{Style(finding.Severity)}]{finding.Severity.Name()}[/]"),
                new Text(finding.Rule.Id),
                new Text(secret),
                new Text(finding.Fingerprint),
                new Text(string.Join('\n', finding.Locations.Select(Describe))));
        }

        return table;
    }

    private static string Describe(Location location)
    {
        if (location.Commit is null)
        {
            return Place(location) + Reach(location);
        }

        var date = location.Date?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "?";
        return $"{Place(location)} @ {ShortCommit(location.Commit)} ({location.Author}, {date}){Reach(location)}";
    }

    /// <summary><c>path:line:column</c>, or the path alone for a finding about a whole file.</summary>
    private static string Place(Location location) => location.Line is { } line ? $"{location.Path}:{line}:{location.Column}" : location.Path;

    private static string ShortCommit(string commit) => commit[..Math.Min(12, commit.Length)];

    private static string Reach(Location location) =>
        (location.Unreachable is { } reach ? $" [unreachable: {reach}]" : string.Empty) + (location.Encoding is { } encoding ? $" [{encoding}]" : string.Empty);

    private static string Describe(Verification v)
    {
        var text = v.Status.ToString().ToLowerInvariant();
        if (v.Host is not null && v.Status == VerificationStatus.Live)
        {
            text += $" on {v.Host}";
        }

        if (v.Scopes is { Count: > 0 } scopes)
        {
            text += $"\nscopes: {string.Join(", ", scopes)}";
        }

        if (v.Status is VerificationStatus.Unknown or VerificationStatus.Invalid && v.Detail is { } why)
        {
            text += $"\n{why}";
        }

        if (v.Revocation is { } r)
        {
            text += r.Found ? $"\n{r.Effect} ({r.Host})" : r.Detail is { } note ? $"\n{note}" : string.Empty;
        }

        return text;
    }

    private static string Suppressed(int count) => count == 0 ? string.Empty : $"; {count} hidden by the baseline";

    private static string Style(Severity severity) => severity switch
    {
        Severity.Critical => "bold red",
        Severity.High => "red",
        Severity.Medium => "yellow",
        _ => "grey",
    };

    internal static string FormatBytes(long bytes) => bytes switch
    {
        >= 1L << 30 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 30):F1} GiB"),
        >= 1L << 20 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 20):F1} MiB"),
        >= 1L << 10 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:F1} KiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes} bytes"),
    };
}
