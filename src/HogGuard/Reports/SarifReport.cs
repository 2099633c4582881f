using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using HogGuard.Detection;

namespace HogGuard.Reports;

/// <summary>
/// SARIF 2.1.0 as GitHub code scanning reads it, for scans and key audits: every rule with its help
/// and fix, one result per location, <c>partialFingerprints</c> built from the secret's fingerprint,
/// regions with line and column (line 1 for a finding about a whole file). Results carry masks and
/// fingerprints only.
/// </summary>
public static class SarifReport
{
    /// <summary>The <c>partialFingerprints</c> key results carry.</summary>
    public const string FingerprintKey = "hogguardSecret/v1";

    /// <summary>Writes the report as SARIF 2.1.0 to <paramref name="output"/>.</summary>
    public static void Write(Stream output, ReportSummary summary)
    {
        ArgumentNullException.ThrowIfNull(summary);
        var rules = Rules.All.Select(ToRule).ToList();
        var results = summary.Result.Findings.SelectMany(f => f.Locations.Select(l => ToResult(f, l))).ToList();
        SarifWriter.Write(output, "HogGuard", rules, results);
    }

    private static SarifRuleInput ToRule(Rule rule) => new(
        rule.Id,
        rule.Title,
        $"{rule.Title}. {rule.Fix}",
        rule.Fix,
        SarifWriter.Level(rule.Severity),
        SarifWriter.SecuritySeverity(rule.Severity),
        ["security", "secret", "posthog"]);

    private static SarifResultInput ToResult(Finding finding, Location location)
    {
        var where = (location.Commit is null ? string.Empty : $" (introduced in commit {location.Commit[..Math.Min(12, location.Commit.Length)]})")
            + (location.Unreachable is { } reach ? $" (unreachable: {reach}; gone from every ref but still in the repository until garbage collection)" : string.Empty)
            + (location.Encoding is { } encoding ? $" (written {encoding}-encoded)" : string.Empty);
        return new SarifResultInput(
            finding.Rule.Id,
            SarifWriter.Level(finding.Severity),
            $"{finding.Rule.Title}: {finding.Masked} (sha256:{finding.Fingerprint}){where}{(finding.Environment is null ? string.Empty : $" in {finding.Environment}")}{(finding.Detail is null ? string.Empty : $": {finding.Detail}")}. {finding.Rule.Fix}",
            location.Path,
            location.Line,
            location.Column,
            new Dictionary<string, string>(StringComparer.Ordinal) { [FingerprintKey] = $"{finding.Fingerprint}:{location.Path}" })
        {
            Properties = location.Commit is null && location.Encoding is null ? null : new SarifResultProperties
            {
                Commit = location.Commit,
                Author = location.Author,
                Date = ReportNames.FormatDate(location.Date),
                Encoding = location.Encoding,
            },
        };
    }
}

/// <summary>A rule as a SARIF writer needs it; the writer derives the rest.</summary>
internal sealed record SarifRuleInput(string Id, string Title, string FullDescription, string Help, string Level, string SecuritySeverity, IReadOnlyList<string> Tags);

/// <summary>A result at one place; <see cref="Line"/> null for a finding about a whole file.</summary>
internal sealed record SarifResultInput(string RuleId, string Level, string Message, string Path, int? Line, int? Column, IReadOnlyDictionary<string, string>? PartialFingerprints)
{
    public SarifResultProperties? Properties { get; init; }
}

/// <summary>
/// The one SARIF 2.1.0 writer (scan, keys audit and check): the tool with its version and home,
/// every rule with a name, descriptions, help text and Markdown, and every result with a region,
/// as GitHub code scanning and the SARIF multitool's GitHub rules require.
/// </summary>
internal static class SarifWriter
{
    /// <summary>Where people learn about the tool (<c>informationUri</c>).</summary>
    public const string InformationUri = "https://github.com/hogguard/hogguard";

    public static void Write(Stream output, string toolName, IReadOnlyList<SarifRuleInput> rules, IReadOnlyList<SarifResultInput> results)
    {
        var version = typeof(SarifWriter).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";
        var index = rules.Select((r, i) => (r.Id, i)).ToDictionary(x => x.Id, x => x.i, StringComparer.Ordinal);
        var log = new SarifLog
        {
            Runs =
            [
                new SarifRun(
                    new SarifTool(new SarifDriver(toolName, version, InformationUri, [.. rules.Select(ToRule)])),
                    [.. results.Select(r => ToResult(r, index[r.RuleId]))]),
            ],
        };
        JsonSerializer.Serialize(output, log, SarifJsonContext.Relaxed.SarifLog);
        output.WriteByte((byte)'\n');
    }

    public static string Level(Severity severity) => severity switch
    {
        Severity.Critical or Severity.High => "error",
        Severity.Medium => "warning",
        _ => "note",
    };

    public static string SecuritySeverity(Severity severity) => severity switch
    {
        Severity.Critical => "9.5",
        Severity.High => "8.0",
        Severity.Medium => "5.0",
        _ => "2.0",
    };

    private static SarifRule ToRule(SarifRuleInput rule) => new(
        rule.Id,
        string.Concat(rule.Id.Split('-').Select(p => char.ToUpperInvariant(p[0]) + p[1..])),
        new SarifText(rule.Title),
        new SarifText(rule.FullDescription),
        new SarifHelp(rule.Help, $"**{rule.Title}**\n\n{rule.Help}"),
        new SarifConfiguration(rule.Level),
        new SarifRuleProperties(rule.SecuritySeverity, [.. rule.Tags]));

    // A finding about a whole file (a committed .env, a .gitignore) points at its first line.
    private static SarifResult ToResult(SarifResultInput result, int ruleIndex) => new(
        result.RuleId,
        ruleIndex,
        result.Level,
        new SarifText(result.Message),
        [new SarifLocation(new SarifPhysicalLocation(new SarifArtifactLocation(EscapePath(result.Path)), new SarifRegion(result.Line ?? 1, result.Line is null ? null : result.Column)))],
        result.PartialFingerprints is null ? null : new Dictionary<string, string>(result.PartialFingerprints, StringComparer.Ordinal),
        result.Properties);

    private static string EscapePath(string path) => string.Join('/', path.Split('/').Select(Uri.EscapeDataString));
}

internal sealed class SarifLog
{
    [JsonPropertyName("$schema")]
    public string Schema { get; init; } = "https://json.schemastore.org/sarif-2.1.0.json";

    public string Version { get; init; } = "2.1.0";

    public required List<SarifRun> Runs { get; init; }
}

// The SARIF objects HogGuard writes, in the order their properties appear in the file.
internal sealed record SarifRun(SarifTool Tool, List<SarifResult> Results);

internal sealed record SarifTool(SarifDriver Driver);

internal sealed record SarifDriver(string Name, string Version, string InformationUri, List<SarifRule> Rules);

internal sealed record SarifRule(string Id, string Name, SarifText ShortDescription, SarifText FullDescription, SarifHelp Help, SarifConfiguration DefaultConfiguration, SarifRuleProperties Properties);

internal sealed record SarifText(string Text);

internal sealed record SarifHelp(string Text, string Markdown);

internal sealed record SarifConfiguration(string Level);

internal sealed record SarifRuleProperties([property: JsonPropertyName("security-severity")] string SecuritySeverity, List<string> Tags);

internal sealed record SarifResult(
    string RuleId,
    int RuleIndex,
    string Level,
    SarifText Message,
    List<SarifLocation> Locations,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] Dictionary<string, string>? PartialFingerprints,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] SarifResultProperties? Properties);

/// <summary>Where a finding from history was introduced.</summary>
internal sealed class SarifResultProperties
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Commit { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Author { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Date { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Encoding { get; init; }
}

internal sealed record SarifLocation(SarifPhysicalLocation PhysicalLocation);

internal sealed record SarifPhysicalLocation(SarifArtifactLocation ArtifactLocation, SarifRegion Region);

internal sealed record SarifArtifactLocation(string Uri, string UriBaseId = "%SRCROOT%");

internal sealed record SarifRegion(int StartLine, [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? StartColumn);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(SarifLog))]
internal sealed partial class SarifJsonContext : JsonSerializerContext
{
    /// <summary>Writes '+', '&lt;' and non-ASCII path characters as they are: the report is a file, never HTML.</summary>
    public static SarifJsonContext Relaxed { get; } = new(new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
}
