using HogGuard.IO;
using HogGuard.Reports;

namespace HogGuard.Cli;

/// <summary>Writes a report in the chosen format to stdout or, atomically, to a file; shared by every command.</summary>
internal sealed class ReportOutput(CliConsole console)
{
    /// <param name="output">The report file, absolute; null for standard output.</param>
    public void Write(string format, string? output, ReportSummary summary)
    {
        if (output is null)
        {
            if (format == "text")
            {
                TextReport.Write(console.Out, summary, console.TextStyle(toFile: false));
                return;
            }

            using var buffer = new MemoryStream();
            WriteMachine(format, buffer, summary);
            console.Out.Write(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
            console.Out.Flush();
            return;
        }

        AtomicFile.WriteOutput(output, stream =>
        {
            if (format == "text")
            {
                using var writer = new StreamWriter(stream, leaveOpen: true);
                TextReport.Write(writer, summary, console.TextStyle(toFile: true));
            }
            else
            {
                WriteMachine(format, stream, summary);
            }
        });
    }

    /// <summary>Writes finished text to stdout, or atomically to <paramref name="output"/> (absolute).</summary>
    public void WriteText(string text, string? output)
    {
        if (output is null)
        {
            console.Out.Write(text);
            return;
        }

        AtomicFile.WriteOutput(output, s => s.Write(System.Text.Encoding.UTF8.GetBytes(text)));
    }

    /// <summary>Fails before a long run, not after it, when a report could not be written.</summary>
    /// <param name="file">The path made absolute; null when the option is not given.</param>
    /// <param name="typed">The path as the user typed it, for the message.</param>
    public static void RequireWritableFolder(string? file, string? typed, string option)
    {
        if (file is null)
        {
            return;
        }

        var folder = Path.GetDirectoryName(file);
        if (folder is not null && !Directory.Exists(folder))
        {
            throw new UsageException($"{option} {typed}: the folder {folder} does not exist; create it or choose another path");
        }

        if (Directory.Exists(file))
        {
            throw new UsageException($"{option} {typed} is a folder; give a file path");
        }
    }

    private static void WriteMachine(string format, Stream stream, ReportSummary summary)
    {
        if (format == "sarif")
        {
            SarifReport.Write(stream, summary);
        }
        else if (format == "github")
        {
            GitHubReport.Write(stream, summary);
        }
        else
        {
            JsonReport.Write(stream, summary);
        }
    }
}
