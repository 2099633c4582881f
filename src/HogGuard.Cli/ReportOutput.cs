using HogGuard.Reports;
using HogGuard.IO;

namespace HogGuard.Cli;

/// <summary>Writes a report in the chosen format to stdout or, atomically, to a file; shared by every command.</summary>
internal static class ReportOutput
{
    public static void Write(string format, string? output, ReportSummary summary, TextWriter stdout)
    {
        if (output is null)
        {
            if (format == "text")
            {
                TextReport.Write(stdout, summary, colour: !Console.IsOutputRedirected);
                return;
            }

            using var buffer = new MemoryStream();
            WriteMachine(format, buffer, summary);
            stdout.Write(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
            stdout.Flush();
            return;
        }

        AtomicFile.WriteOutput(output, stream =>
        {
            if (format == "text")
            {
                using var writer = new StreamWriter(stream, leaveOpen: true);
                TextReport.Write(writer, summary, colour: false);
            }
            else
            {
                WriteMachine(format, stream, summary);
            }
        });
    }

    /// <summary>Fails before a long run, not after it, when a report could not be written.</summary>
    public static void RequireWritableFolder(string? file, string option)
    {
        if (file is null)
        {
            return;
        }

        var folder = Path.GetDirectoryName(Path.GetFullPath(file));
        if (folder is not null && !Directory.Exists(folder))
        {
            throw new UsageException($"{option} {file}: the folder {folder} does not exist; create it or choose another path");
        }

        if (Directory.Exists(file))
        {
            throw new UsageException($"{option} {file} is a folder; give a file path");
        }
    }

    private static void WriteMachine(string format, Stream stream, ReportSummary summary)
    {
        if (format == "sarif")
        {
            SarifReport.Write(stream, summary);
        }
        else
        {
            JsonReport.Write(stream, summary);
        }
    }
}
