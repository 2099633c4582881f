using System.Globalization;
using HogGuard.Sources;
using Spectre.Console;

namespace HogGuard.Cli;

/// <summary>A live line on stderr while a scan runs (history and working tree); only shown on a terminal.</summary>
internal static class ProgressDisplay
{
    public static async Task ShowAsync(Task scan, ScanCommand.LatestStatistics progress, TextWriter stderr, bool history)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(stderr) });
        await console.Status().StartAsync(history ? "Reading history..." : "Listing files...", async context =>
        {
            while (await Task.WhenAny(scan, Task.Delay(200)) != scan)
            {
                if (progress.Current is { } stats)
                {
                    context.Status(Markup.Escape(Describe(stats, history)));
                }
            }
        });
    }

    /// <summary>"Scanning history: 12,345 of 45,678 blobs (27%), 1.2 GiB"; without "of" until the total is known.</summary>
    internal static string Describe(ScanStatistics stats, bool history)
    {
        var unit = history ? "blobs" : "files";
        var done = stats.Done;
        var count = stats.Total is { } total and > 0
            ? string.Create(CultureInfo.InvariantCulture, $"{done:N0} of {total:N0} {unit} ({Math.Min(100, done * 100 / total)}%)")
            : string.Create(CultureInfo.InvariantCulture, $"{done:N0} {unit}");
        return $"Scanning {(history ? "history" : "files")}: {count}, {TextReport.FormatBytes(stats.Bytes)}";
    }
}
