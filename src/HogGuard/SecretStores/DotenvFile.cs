using System.Text;

namespace HogGuard.SecretStores;

/// <summary>
/// The dotenv format as HogGuard reads and writes it: <c>[export ]NAME=value</c>, <c>NAME="value"</c>,
/// <c>NAME='value'</c>, <c>NAME=value # comment</c>, <c>#</c> comment lines; the last assignment of a
/// name wins. The rotation store (<c>dotenv:</c>) and the ASP.NET Core configuration provider
/// (<c>AddDotEnvFile</c>) share this one parser, so what rotation writes is what a service reads.
/// </summary>
public static class DotenvFile
{
    /// <summary>The largest dotenv file <see cref="ReadFile"/> reads (1 MiB): settings, not data.</summary>
    public const int MaxFileBytes = 1 << 20;

    /// <summary>
    /// Reads a dotenv file as <see cref="Read"/> does. Only a regular file is read (a FIFO, socket or
    /// device is refused without blocking), and at most <see cref="MaxFileBytes"/>.
    /// </summary>
    /// <exception cref="IOException">Missing, unreadable, not a regular file or too large; the message names the path.</exception>
    public static IReadOnlyDictionary<string, string> ReadFile(string path) => Read(IO.RegularFile.ReadAllBytes(path, MaxFileBytes));

    /// <summary>Every name with a non-empty value, the last assignment winning; the text is UTF-8 (a byte order mark is skipped).</summary>
    public static IReadOnlyDictionary<string, string> Read(ReadOnlySpan<byte> bytes)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var text = Encoding.UTF8.GetString(bytes.StartsWith(Encoding.UTF8.Preamble) ? bytes[3..] : bytes);
        foreach (var line in Split(text))
        {
            if (line.Key is { Length: > 0 } key && line.Value is { Length: > 0 } value)
            {
                values[key] = value;
            }
        }

        return values;
    }

    /// <summary>
    /// Latin-1 maps every byte to one char and back, so lines in UTF-8, Latin-1 or anything else come
    /// back byte for byte; keys and PostHog values are ASCII, the same in every one of them.
    /// </summary>
    internal static string Decode(byte[] bytes) =>
        bytes.AsSpan().StartsWith(Encoding.UTF8.Preamble) ? Encoding.Latin1.GetString(bytes, 3, bytes.Length - 3) : Encoding.Latin1.GetString(bytes);

    internal sealed class Line(string text, string ending)
    {
        public string Text { get; set; } = text;

        public string Ending { get; set; } = ending;

        public string? Key { get; set; }

        public string? Value { get; set; }

        /// <summary>Where the value starts and ends in <see cref="Text"/> (inside quotes when quoted).</summary>
        public int ValueStart { get; set; }

        public int ValueEnd { get; set; }
    }

    internal static List<Line> Split(string text)
    {
        var lines = new List<Line>();
        var at = 0;
        while (at < text.Length)
        {
            var end = text.IndexOf('\n', at);
            var line = end < 0
                ? new Line(text[at..], string.Empty)
                : end > at && text[end - 1] == '\r' ? new Line(text[at..(end - 1)], "\r\n") : new Line(text[at..end], "\n");
            Parse(line);
            lines.Add(line);
            at = end < 0 ? text.Length : end + 1;
        }

        return lines;
    }

    /// <summary><c>[export ]NAME=value</c>, <c>NAME="value"</c>, <c>NAME='value'</c>, <c>NAME=value # comment</c>.</summary>
    internal static void Parse(Line line)
    {
        var text = line.Text;
        var start = text.Length - text.TrimStart().Length;
        if (start < text.Length && text[start] == '#')
        {
            return;
        }

        if (text.AsSpan(start).StartsWith("export ", StringComparison.Ordinal))
        {
            start += 7;
            while (start < text.Length && text[start] == ' ')
            {
                start++;
            }
        }

        var equals = text.IndexOf('=', start);
        if (equals <= start)
        {
            return;
        }

        line.Key = text[start..equals].Trim();
        var valueStart = equals + 1;
        while (valueStart < text.Length && text[valueStart] is ' ' or '\t')
        {
            valueStart++;
        }

        int valueEnd;
        if (valueStart < text.Length && text[valueStart] is '"' or '\'' && text.IndexOf(text[valueStart], valueStart + 1) is var close and > 0)
        {
            valueStart++;
            valueEnd = close;
        }
        else
        {
            var comment = text.IndexOf(" #", valueStart, StringComparison.Ordinal);
            valueEnd = comment >= 0 ? comment : text.Length;
            while (valueEnd > valueStart && text[valueEnd - 1] is ' ' or '\t')
            {
                valueEnd--;
            }
        }

        line.ValueStart = valueStart;
        line.ValueEnd = valueEnd;
        line.Value = text[valueStart..valueEnd];
    }

}
