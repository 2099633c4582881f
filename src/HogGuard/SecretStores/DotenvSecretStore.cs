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
        var lines = bytes is null ? [] : DotenvFile.Split(DotenvFile.Decode(bytes));
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
        var lines = bytes is null ? [] : DotenvFile.Split(DotenvFile.Decode(bytes));
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

    /// <summary>The last assignment wins, as dotenv loaders read it.</summary>
    private static DotenvFile.Line? Find(List<DotenvFile.Line> lines, string key) => lines.LastOrDefault(l => l.Key == key && l.Value is { Length: > 0 });

    private static void Set(List<DotenvFile.Line> lines, string key, string? value, string newline, string anchorKey)
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
            var line = new DotenvFile.Line($"{key}={value}", newline);
            DotenvFile.Parse(line);

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
            DotenvFile.Parse(line);
        }
    }
}
