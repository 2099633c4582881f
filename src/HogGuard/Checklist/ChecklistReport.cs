using System.Text;
using System.Text.Json;
using HogGuard.Configuration;
using HogGuard.Reports;

namespace HogGuard.Checklist;

/// <summary>The checklist as text, JSON, SARIF 2.1.0 or Markdown (for a pull-request comment).</summary>
public static class ChecklistReport
{
    /// <summary>The formats <see cref="Render"/> writes.</summary>
    public static readonly string[] Formats = ["text", "json", "sarif", "markdown"];

    /// <summary>Whether any item failed (the command then exits 1).</summary>
    public static bool Failed(IReadOnlyList<CheckItem> items) => items.Any(i => i.Status == CheckStatus.Fail);

    /// <summary>The items as text, json, sarif or markdown, titled with <paramref name="subject"/>.</summary>
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

    /// <summary>Each checklist item is a rule; each FAIL or WARN a result on hogguard.yml, written by the one SARIF writer.</summary>
    private static string Sarif(IReadOnlyList<CheckItem> items)
    {
        var rules = items.Select(item => new SarifRuleInput(
            RuleId(item),
            item.Title,
            $"PostHog security checklist, item {item.Number}: {item.Title}.",
            item.Fix ?? "Nothing to do: this item passes.",
            "error",
            "8.0",
            ["security", "posthog", "checklist"])).ToList();
        var results = items.Where(i => i.Status is CheckStatus.Fail or CheckStatus.Warn).Select(item => new SarifResultInput(
            RuleId(item),
            item.Status == CheckStatus.Fail ? "error" : "warning",
            $"{item.Title}: {string.Join("; ", item.Evidence)}",
            HogGuardConfig.FileName,
            null,
            null,
            null)).ToList();
        using var stream = new MemoryStream();
        SarifWriter.Write(stream, "hogguard check", rules, results);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static string RuleId(CheckItem item) => $"checklist-{item.Number}-{item.Id}";

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
