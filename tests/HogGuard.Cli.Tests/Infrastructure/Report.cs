using System.Text.Json;

namespace HogGuard.Cli.Tests.Infrastructure;

/// <summary>Reads the JSON report as a test sees it: plain JSON, no shared types with the tool.</summary>
public sealed class Report
{
    private Report(JsonDocument document) => Document = document;

    public JsonDocument Document { get; }

    public JsonElement Summary => Document.RootElement.GetProperty("summary");

    public List<string> Warnings => [.. Summary.GetProperty("warnings").EnumerateArray().Select(w => w.GetString()!)];

    public IEnumerable<JsonElement> Findings => Document.RootElement.GetProperty("findings").EnumerateArray();

    public static Report Parse(ToolResult result) => new(JsonDocument.Parse(result.Stdout));

    public JsonElement Single(string rule) => Assert.Single(Findings, f => f.GetProperty("rule").GetString() == rule);

    public IEnumerable<string?> Rules => Findings.Select(f => f.GetProperty("rule").GetString());

    public JsonElement ByFingerprint(string fingerprint) => Assert.Single(Findings, f => f.GetProperty("fingerprint").GetString() == fingerprint);
}
