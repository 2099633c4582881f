using System.Text.Json;
using System.Text.Json.Serialization;
using HogGuard.Detection;

namespace HogGuard.Reports;

/// <summary>
/// The JSON report, version 1:
/// <c>{"version":1,"findings":[{"rule","kind","severity","fingerprint","masked","locations":[{"path","line","column","commit","author","date"}]}],"summary":{...}}</c>.
/// It holds masks and fingerprints only, never a secret.
/// </summary>
public static class JsonReport
{
    /// <summary>Writes the report as JSON (version 1) to <paramref name="output"/>.</summary>
    public static void Write(Stream output, ReportSummary summary)
    {
        ArgumentNullException.ThrowIfNull(summary);
        var result = summary.Result;
        var stats = result.Statistics;
        var document = new JsonReportDocument
        {
            Version = 1,
            Findings = [.. result.Findings.Select(f => new JsonFinding
            {
                Rule = f.Rule.Id,
                Kind = f.Kind,
                Severity = f.Severity.Name(),
                Fingerprint = f.Fingerprint,
                Masked = f.Masked,
                Environment = f.Environment,
                Detail = f.Detail,
                Locations = [.. f.Locations.Select(l => new JsonLocation
                {
                    Path = l.Path,
                    Line = l.Line,
                    Column = l.Column,
                    Commit = l.Commit,
                    Author = l.Author,
                    Date = ReportNames.FormatDate(l.Date),
                    Unreachable = l.Unreachable,
                    Encoding = l.Encoding,
                })],
                Verification = f.Verification is { } v ? new JsonVerification
                {
                    Status = v.Status.ToString().ToLowerInvariant(),
                    Host = v.Host,
                    Detail = v.Detail,
                    Scopes = v.Scopes?.ToList(),
                    ScopedTeams = v.ScopedTeams?.ToList(),
                    CanWrite = v.CanWrite,
                    CreatedAt = ReportNames.FormatDate(v.CreatedAt),
                    LastUsedAt = ReportNames.FormatDate(v.LastUsedAt),
                    LastRolledAt = ReportNames.FormatDate(v.LastRolledAt),
                    Revocation = v.Revocation is { } r ? new JsonRevocation { Found = r.Found, Type = r.Type, Host = r.Host, Detail = r.Detail } : null,
                } : null,
            })],
            Summary = new JsonSummary
            {
                Findings = result.Findings.Count,
                Critical = summary.Count(Severity.Critical),
                High = summary.Count(Severity.High),
                Medium = summary.Count(Severity.Medium),
                Low = summary.Count(Severity.Low),
                Suppressed = result.Suppressed,
                FilesScanned = stats.Files,
                ScannedUnit = stats.Unit switch { Sources.ScanUnit.Blobs => "blobs", Sources.ScanUnit.Input => "input", _ => "files" },
                BytesScanned = stats.Bytes,
                SkippedBinary = stats.SkippedBinary,
                SkippedTooLarge = stats.SkippedTooLarge,
                MissingObjects = stats.MissingObjects,
                FailOn = summary.FailOnName,
                FailOnLive = summary.Live switch { LiveGate.LiveOnly => "strict", LiveGate.LiveOrUnverified => "live", _ => "off" },
                Failed = summary.Failed,
                Warnings = [.. result.Warnings],
            },
        };
        JsonSerializer.Serialize(output, document, ReportJsonContext.Relaxed.JsonReportDocument);
        output.WriteByte((byte)'\n');
    }


}

internal sealed class JsonReportDocument
{
    public int Version { get; init; }

    public required List<JsonFinding> Findings { get; init; }

    public required JsonSummary Summary { get; init; }
}

internal sealed class JsonFinding
{
    public required string Rule { get; init; }

    public required string Kind { get; init; }

    public required string Severity { get; init; }

    public required string Fingerprint { get; init; }

    public required string Masked { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Environment { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Detail { get; init; }

    public required List<JsonLocation> Locations { get; init; }

    /// <summary>Present only with <c>--verify</c>.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public JsonVerification? Verification { get; init; }
}

internal sealed class JsonVerification
{
    public required string Status { get; init; }

    public string? Host { get; init; }

    public string? Detail { get; init; }

    public List<string>? Scopes { get; init; }

    public List<int>? ScopedTeams { get; init; }

    public bool CanWrite { get; init; }

    public string? CreatedAt { get; init; }

    public string? LastUsedAt { get; init; }

    public string? LastRolledAt { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public JsonRevocation? Revocation { get; init; }
}

internal sealed class JsonRevocation
{
    public bool Found { get; init; }

    public string? Type { get; init; }

    public required string Host { get; init; }

    public string? Detail { get; init; }
}

internal sealed class JsonLocation
{
    public required string Path { get; init; }

    public int? Line { get; init; }

    public int? Column { get; init; }

    public string? Commit { get; init; }

    public string? Author { get; init; }

    public string? Date { get; init; }

    /// <summary>Present for blobs no ref reaches: "reflog REF@{N}" or "dangling".</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Unreachable { get; init; }

    /// <summary>Present when the secret was written encoded there: "base64", "base64url", "percent", "unicode-escape", or two joined by "+".</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Encoding { get; init; }
}

internal sealed class JsonSummary
{
    public int Findings { get; init; }

    public int Critical { get; init; }

    public int High { get; init; }

    public int Medium { get; init; }

    public int Low { get; init; }

    public int Suppressed { get; init; }

    public long FilesScanned { get; init; }

    /// <summary>What files_scanned counts: files, blobs (history) or input (standard input).</summary>
    public required string ScannedUnit { get; init; }

    public long BytesScanned { get; init; }

    public long SkippedBinary { get; init; }

    public long SkippedTooLarge { get; init; }

    public long MissingObjects { get; init; }

    public required string FailOn { get; init; }

    /// <summary>off, live (live or unverified secrets fail) or strict (only live ones).</summary>
    public required string FailOnLive { get; init; }

    public bool Failed { get; init; }

    public required List<string> Warnings { get; init; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true)]
[JsonSerializable(typeof(JsonReportDocument))]
internal sealed partial class ReportJsonContext : JsonSerializerContext
{
    /// <summary>Writes '+', '&lt;' and non-ASCII path characters as they are: the report is a file, never HTML.</summary>
    public static ReportJsonContext Relaxed { get; } = new(new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
}
