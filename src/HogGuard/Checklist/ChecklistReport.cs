using System.Text;
using System.Text.Json;

namespace HogGuard.Checklist;

/// <summary>The checklist as text, JSON, SARIF 2.1.0 or Markdown (for a pull-request comment).</summary>
public static class ChecklistReport
{
    public static readonly string[] Formats = ["text", "json", "sarif", "markdown"];

    public static bool Failed(IReadOnlyList<CheckItem> items) => items.Any(i => i.Status == CheckStatus.Fail);

    public static string Render(string format, IReadOnlyList<CheckItem> items, string subject) => format switch
    {
        "json" => Json(items, subject),
        "sarif" => Sarif(items),
        "markdown" => Markdown(items, subject),
        _ => Text(items, subject),
    };

    private static string Label(CheckStatus status) => status.ToString().ToUpperInvariant();

    private static string Summary(IReadOnlyList<CheckItem> items) =>
        string.Join(", ", Enum.GetValues<CheckStatus>().Select(s => $"{items.Count(i => i.Status == s)} {Label(s).ToLowerInvariant()}"));

    private static string Text(IReadOnlyList<CheckItem> items, string subject)
    {
        var text = new StringBuilder().AppendLine($"PostHog security checklist for {subject}").AppendLine();
        foreach (var item in items)
        {
            text.AppendLine($"{Label(item.Status),-4}  {item.Number}. {item.Title}");
            foreach (var line in item.Evidence)
            {
                text.AppendLine($"        {line}");
            }

            if (item.Fix is not null && item.Status is CheckStatus.Fail or CheckStatus.Warn)
            {
                text.AppendLine($"        fix: {item.Fix}");
            }
        }

        return text.AppendLine().AppendLine(Summary(items)).ToString();
    }

    private static string Markdown(IReadOnlyList<CheckItem> items, string subject)
    {
        var text = new StringBuilder().AppendLine($"### PostHog security checklist: {Escape(subject)}").AppendLine();
        text.AppendLine("| | Item | Evidence | Fix |").AppendLine("|---|---|---|---|");
        foreach (var item in items)
        {
            var icon = item.Status switch { CheckStatus.Pass => "✅ PASS", CheckStatus.Fail => "❌ FAIL", CheckStatus.Warn => "⚠️ WARN", _ => "⏭️ SKIP" };
            var fix = item.Status is CheckStatus.Fail or CheckStatus.Warn ? Escape(item.Fix ?? string.Empty) : string.Empty;
            text.AppendLine($"| {icon} | {item.Number}. {Escape(item.Title)} | {string.Join("<br>", item.Evidence.Select(Escape))} | {fix} |");
        }

        return text.AppendLine().AppendLine($"_{Summary(items)}_").ToString();
    }

    private static string Escape(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal);

    private static string Json(IReadOnlyList<CheckItem> items, string subject) => Write(writer =>
    {
        writer.WriteStartObject();
        writer.WriteString("version", "1");
        writer.WriteString("subject", subject);
        writer.WriteBoolean("failed", Failed(items));
        writer.WriteStartArray("items");
        foreach (var item in items)
        {
            writer.WriteStartObject();
            writer.WriteNumber("number", item.Number);
            writer.WriteString("id", item.Id);
            writer.WriteString("title", item.Title);
            writer.WriteString("status", item.Status.ToString().ToLowerInvariant());
            writer.WriteStartArray("evidence");
            foreach (var line in item.Evidence)
            {
                writer.WriteStringValue(line);
            }

            writer.WriteEndArray();
            writer.WriteString("fix", item.Fix);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    });

    private static string Sarif(IReadOnlyList<CheckItem> items) => Write(writer =>
    {
        writer.WriteStartObject();
        writer.WriteString("$schema", "https://json.schemastore.org/sarif-2.1.0.json");
        writer.WriteString("version", "2.1.0");
        writer.WriteStartArray("runs");
        writer.WriteStartObject();
        writer.WriteStartObject("tool");
        writer.WriteStartObject("driver");
        writer.WriteString("name", "hogguard check");
        writer.WriteStartArray("rules");
        foreach (var item in items)
        {
            writer.WriteStartObject();
            writer.WriteString("id", $"checklist-{item.Number}-{item.Id}");
            writer.WriteStartObject("shortDescription");
            writer.WriteString("text", item.Title);
            writer.WriteEndObject();
            if (item.Fix is not null)
            {
                writer.WriteStartObject("help");
                writer.WriteString("text", item.Fix);
                writer.WriteEndObject();
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteStartArray("results");
        foreach (var item in items.Where(i => i.Status is CheckStatus.Fail or CheckStatus.Warn))
        {
            writer.WriteStartObject();
            writer.WriteString("ruleId", $"checklist-{item.Number}-{item.Id}");
            writer.WriteString("level", item.Status == CheckStatus.Fail ? "error" : "warning");
            writer.WriteStartObject("message");
            writer.WriteString("text", $"{item.Title}: {string.Join("; ", item.Evidence)}");
            writer.WriteEndObject();
            writer.WriteStartArray("locations");
            writer.WriteStartObject();
            writer.WriteStartObject("physicalLocation");
            writer.WriteStartObject("artifactLocation");
            writer.WriteString("uri", "hogguard.yml");
            writer.WriteEndObject();
            writer.WriteEndObject();
            writer.WriteEndObject();
            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
        writer.WriteEndArray();
        writer.WriteEndObject();
    });

    private static string Write(Action<Utf8JsonWriter> write)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            write(writer);
        }

        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }
}
