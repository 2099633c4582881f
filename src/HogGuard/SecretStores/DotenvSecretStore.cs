using System.Text;

namespace HogGuard.SecretStores;

/// <summary>
/// A key in a dotenv file. Writing changes only the value of the lines it owns (keeping
/// <c>export</c>, quotes and a trailing comment), puts a slot that is new just above the key's own
/// line, removes a slot that is emptied, and leaves every other byte as it was: comments, order,
/// blank lines, line endings, a missing final newline, and bytes in any encoding (the file is
/// handled byte for byte; keys and values are ASCII).
/// </summary>
internal sealed class DotenvSecretStore(string description, string path, string name) : ISecretStore
{
    public string Description => description;

    public bool CanWrite => true;

    public string Path => path;

    public SecretSlots Read()
    {
        var bytes = SecretStoreFactory.ReadBytes(path);
        var lines = bytes is null ? [] : Split(Decode(bytes));
        return new SecretSlots(
            Find(lines, name)?.Value,
            Find(lines, name + SecretStoreFactory.NextSuffix)?.Value,
            Find(lines, name + SecretStoreFactory.PreviousSuffix)?.Value,
            SecretStoreFactory.VersionOf(bytes));
    }

    public void Write(SecretSlots basis, string? current, string? next, string? previous)
    {
        ArgumentNullException.ThrowIfNull(basis);
        var bytes = SecretStoreFactory.ReadBytes(path);
        var lines = bytes is null ? [] : Split(Decode(bytes));
        var newline = lines.FirstOrDefault(l => l.Ending.Length > 0)?.Ending ?? "\n";
        Set(lines, name, current, newline, name);
        Set(lines, name + SecretStoreFactory.NextSuffix, next, newline, name);
        Set(lines, name + SecretStoreFactory.PreviousSuffix, previous, newline, name);
        var text = new StringBuilder();
        foreach (var line in lines)
        {
            text.Append(line.Text).Append(line.Ending);
        }

        var preamble = bytes is not null && bytes.AsSpan().StartsWith(Encoding.UTF8.Preamble) ? Encoding.UTF8.Preamble.ToArray() : [];
        SecretStoreFactory.WriteChecked(path, basis, [.. preamble, .. Encoding.Latin1.GetBytes(text.ToString())]);
    }

    /// <summary>
    /// Latin-1 maps every byte to one char and back, so lines in UTF-8, Latin-1 or anything else come
    /// back byte for byte; keys and PostHog values are ASCII, the same in every one of them.
    /// </summary>
    private static string Decode(byte[] bytes) =>
        bytes.AsSpan().StartsWith(Encoding.UTF8.Preamble) ? Encoding.Latin1.GetString(bytes, 3, bytes.Length - 3) : Encoding.Latin1.GetString(bytes);

    private sealed class Line(string text, string ending)
    {
        public string Text { get; set; } = text;

        public string Ending { get; set; } = ending;

        public string? Key { get; set; }

        public string? Value { get; set; }

        /// <summary>Where the value starts and ends in <see cref="Text"/> (inside quotes when quoted).</summary>
        public int ValueStart { get; set; }

        public int ValueEnd { get; set; }
    }

    private static List<Line> Split(string text)
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
    private static void Parse(Line line)
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

    /// <summary>The last assignment wins, as dotenv loaders read it.</summary>
    private static Line? Find(List<Line> lines, string key) => lines.LastOrDefault(l => l.Key == key && l.Value is { Length: > 0 });

    private static void Set(List<Line> lines, string key, string? value, string newline, string anchorKey)
    {
        if (value is not null && value.AsSpan().IndexOfAny("\r\n\"'# ") >= 0)
        {
            throw new ArgumentException("a key value holds a character a dotenv file cannot carry unquoted", nameof(value));
        }

        var owned = lines.Where(l => l.Key == key).ToList();
        if (value is null)
        {
            lines.RemoveAll(owned.Contains);
            return;
        }

        if (owned.Count == 0)
        {
            var line = new Line($"{key}={value}", newline);
            Parse(line);

            // A new slot goes just above the key's own line, so the file's last line (and whether it
            // ends in a newline) is never touched; only a file without the key gets it at the end.
            var anchor = key == anchorKey ? -1 : lines.FindIndex(l => l.Key == anchorKey);
            if (anchor >= 0)
            {
                line.Ending = lines[anchor].Ending.Length > 0 ? lines[anchor].Ending : newline;
                lines.Insert(anchor, line);
                return;
            }

            if (lines.Count > 0 && lines[^1].Ending.Length == 0)
            {
                lines[^1].Ending = newline;
            }

            lines.Add(line);
            return;
        }

        // Every assignment of the key gets the value, so no loader can pick a stale one.
        foreach (var line in owned)
        {
            line.Text = string.Concat(line.Text.AsSpan(0, line.ValueStart), value, line.Text.AsSpan(line.ValueEnd));
            Parse(line);
        }
    }
}
