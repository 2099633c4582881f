using System.Text.Encodings.Web;
using System.CommandLine;
using System.Text.Json;

namespace HogGuard.Cli;

/// <summary>Small JSON documents the commands print with <c>--format json</c> (one object, indented, a newline after).</summary>
internal static class CliJson
{
    private static readonly JsonWriterOptions Options = new() { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static void Write(TextWriter output, Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, Options))
        {
            write(writer);
        }

        output.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
        output.Flush();
    }

    /// <summary><c>-f text|json</c> for commands whose text is lines, not a report.</summary>
    public static Option<string> TextOrJson() => HogGuard.Cli.CommonOptions.Format("text", "json");
}
