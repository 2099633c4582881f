using System.Globalization;
using Spectre.Console;

namespace HogGuard.Cli;

/// <summary>A live line on stderr while a long history scan runs; only shown on a terminal.</summary>
internal static class ProgressDisplay
{
    public static async Task ShowAsync(Task scan, ScanCommand.LatestStatistics progress, TextWriter stderr)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(stderr) });
        await console.Status().StartAsync("Reading history...", async context =>
        {
            while (await Task.WhenAny(scan, Task.Delay(200)) != scan)
            {
                if (progress.Current is { } stats)
                {
                    context.Status(string.Create(CultureInfo.InvariantCulture, $"Scanning history: {stats.Files:N0} blobs, {TextReport.FormatBytes(stats.Bytes)}"));
                }
            }
        });
    }
}
