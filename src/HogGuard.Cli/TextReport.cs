using System.Globalization;
using HogGuard.Detection;
using HogGuard.Reports;
using Spectre.Console;

namespace HogGuard.Cli;

/// <summary>The human report: a summary line, a table of findings (masked, fingerprinted) and what to do about each rule.</summary>
internal static class TextReport
{
    public static void Write(TextWriter writer, ReportSummary summary, bool colour)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = colour ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = colour ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        if (!colour)
        {
            console.Profile.Width = 200;
        }

        var result = summary.Result;
        var stats = result.Statistics;
        var scanned = summary.Subject ?? string.Create(CultureInfo.InvariantCulture, $"{stats.Files:N0} files, {FormatBytes(stats.Bytes)}");
        if (result.Findings.Count == 0)
        {
            var clean = summary.Subject is null ? "No PostHog secrets found" : "No findings: every key is within its policy";
            console.MarkupLine($"[green]{clean}[/] ({Markup.Escape(scanned)}{Suppressed(result.Suppressed)}).");
            return;
        }

        var counts = string.Join(", ", Enum.GetValues<Severity>().Reverse().Where(s => summary.Count(s) > 0).Select(s => $"{summary.Count(s)} {s.Name()}"));
        console.MarkupLine($"[bold]{result.Findings.Count} finding(s)[/] ({Markup.Escape(counts)}) in {Markup.Escape(scanned)}{Suppressed(result.Suppressed)}.");

        // Key audits read best as one table per environment; scans have one table.
        var byEnvironment = result.Findings.Any(f => f.Environment is not null);
        foreach (var group in result.Findings.GroupBy(f => f.Environment).OrderBy(g => g.Key is null ? 1 : 0).ThenBy(g => g.Key, StringComparer.Ordinal))
        {
            if (byEnvironment)
            {
                console.WriteLine();
                console.MarkupLine($"[bold underline]{Markup.Escape(group.Key ?? "across environments")}[/]");
            }

            console.Write(Table(group));
        }

        console.WriteLine();
        foreach (var rule in result.Findings.Select(f => f.Rule).Distinct())
        {
            console.MarkupLine($"[bold]{Markup.Escape(rule.Id)}[/]: {Markup.Escape(rule.Fix)}");
        }

        if (!summary.Failed)
        {
            console.MarkupLine($"Nothing at or above '{summary.FailOn.Name()}': exit 0.");
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
        var where = location.Line is { } line ? $"{location.Path}:{line}:{location.Column}" : location.Path;
        if (location.Commit is null)
        {
            return where;
        }

        var date = location.Date?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "?";
        return $"{where} @ {location.Commit[..Math.Min(12, location.Commit.Length)]} ({location.Author}, {date})";
    }

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
