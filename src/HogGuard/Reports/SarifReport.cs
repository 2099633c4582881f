using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using HogGuard.Detection;

namespace HogGuard.Reports;

/// <summary>
/// SARIF 2.1.0 as GitHub code scanning reads it: every rule with its help and fix, one result per
/// location, <c>partialFingerprints</c> built from the secret's fingerprint, regions with line and
/// column. Results carry masks and fingerprints only.
/// </summary>
public static class SarifReport
{
    public const string FingerprintKey = "hogguardSecret/v1";

    public static void Write(Stream output, ReportSummary summary)
    {
        ArgumentNullException.ThrowIfNull(summary);
        var rules = Rules.All.ToList();
        var version = typeof(SarifReport).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";
        var results = new List<SarifResult>();
        foreach (var finding in summary.Result.Findings)
        {
            foreach (var location in finding.Locations)
            {
                results.Add(ToResult(finding, location, rules.IndexOf(finding.Rule)));
            }
        }

        var log = new SarifLog
        {
            Runs =
            [
                new SarifRun
                {
                    Tool = new SarifTool
                    {
                        Driver = new SarifDriver
                        {
                            Version = version,
                            Rules = [.. rules.Select(ToRule)],
                        },
                    },
                    Results = results,
                },
            ],
        };
        JsonSerializer.Serialize(output, log, SarifJsonContext.Relaxed.SarifLog);
        output.WriteByte((byte)'\n');
    }

    private static SarifRule ToRule(Rule rule) => new()
    {
        Id = rule.Id,
        Name = string.Concat(rule.Id.Split('-').Select(p => char.ToUpperInvariant(p[0]) + p[1..])),
        ShortDescription = new SarifText { Text = rule.Title },
        FullDescription = new SarifText { Text = $"{rule.Title}. {rule.Fix}" },
        Help = new SarifHelp { Text = rule.Fix, Markdown = $"**{rule.Title}**\n\n{rule.Fix}" },
        DefaultConfiguration = new SarifConfiguration { Level = Level(rule.Severity) },
        Properties = new SarifRuleProperties
        {
            SecuritySeverity = SecuritySeverity(rule.Severity),
            Tags = ["security", "secret", "posthog"],
        },
    };

    private static SarifResult ToResult(Finding finding, Location location, int ruleIndex)
    {
        var where = location.Commit is null ? string.Empty : $" (introduced in commit {location.Commit[..Math.Min(12, location.Commit.Length)]})";
        return new SarifResult
        {
            RuleId = finding.Rule.Id,
            RuleIndex = ruleIndex,
            Level = Level(finding.Severity),
            Message = new SarifText { Text = $"{finding.Rule.Title}: {finding.Masked} (sha256:{finding.Fingerprint}){where}{(finding.Environment is null ? string.Empty : $" in {finding.Environment}")}{(finding.Detail is null ? string.Empty : $": {finding.Detail}")}. {finding.Rule.Fix}" },
            Locations =
            [
                new SarifLocation
                {
                    PhysicalLocation = new SarifPhysicalLocation
                    {
                        ArtifactLocation = new SarifArtifactLocation { Uri = EscapePath(location.Path) },
                        Region = location.Line is { } line ? new SarifRegion { StartLine = line, StartColumn = location.Column } : null,
                    },
                },
            ],
            PartialFingerprints = new Dictionary<string, string>(StringComparer.Ordinal) { [FingerprintKey] = $"{finding.Fingerprint}:{location.Path}" },
            Properties = location.Commit is null ? null : new SarifResultProperties
            {
                Commit = location.Commit,
                Author = location.Author,
                Date = ReportNames.FormatDate(location.Date),
            },
        };
    }

    private static string EscapePath(string path) => string.Join('/', path.Split('/').Select(Uri.EscapeDataString));

    private static string Level(Severity severity) => severity switch
    {
        Severity.Critical or Severity.High => "error",
        Severity.Medium => "warning",
        _ => "note",
    };

    private static string SecuritySeverity(Severity severity) => severity switch
    {
        Severity.Critical => "9.5",
        Severity.High => "8.0",
        Severity.Medium => "5.0",
        _ => "2.0",
    };
}

internal sealed class SarifLog
{
    [JsonPropertyName("$schema")]
    public string Schema { get; init; } = "https://json.schemastore.org/sarif-2.1.0.json";

    public string Version { get; init; } = "2.1.0";

    public required List<SarifRun> Runs { get; init; }
}

internal sealed class SarifRun
{
    public required SarifTool Tool { get; init; }

    public required List<SarifResult> Results { get; init; }
}

internal sealed class SarifTool
{
    public required SarifDriver Driver { get; init; }
}

internal sealed class SarifDriver
{
    public string Name { get; init; } = "HogGuard";

    public required string Version { get; init; }

    public required List<SarifRule> Rules { get; init; }
}

internal sealed class SarifRule
{
    public required string Id { get; init; }

    public required string Name { get; init; }

    public required SarifText ShortDescription { get; init; }

    public required SarifText FullDescription { get; init; }

    public required SarifHelp Help { get; init; }

    public required SarifConfiguration DefaultConfiguration { get; init; }

    public required SarifRuleProperties Properties { get; init; }
}

internal sealed class SarifText
{
    public required string Text { get; init; }
}

internal sealed class SarifHelp
{
    public required string Text { get; init; }

    public required string Markdown { get; init; }
}

internal sealed class SarifConfiguration
{
    public required string Level { get; init; }
}

internal sealed class SarifRuleProperties
{
    [JsonPropertyName("security-severity")]
    public required string SecuritySeverity { get; init; }

    public required List<string> Tags { get; init; }
}

internal sealed class SarifResult
{
    public required string RuleId { get; init; }

    public int RuleIndex { get; init; }

    public required string Level { get; init; }

    public required SarifText Message { get; init; }

    public required List<SarifLocation> Locations { get; init; }

    public required Dictionary<string, string> PartialFingerprints { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public SarifResultProperties? Properties { get; init; }
}

internal sealed class SarifResultProperties
{
    public string? Commit { get; init; }

    public string? Author { get; init; }

    public string? Date { get; init; }
}

internal sealed class SarifLocation
{
    public required SarifPhysicalLocation PhysicalLocation { get; init; }
}

internal sealed class SarifPhysicalLocation
{
    public required SarifArtifactLocation ArtifactLocation { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public SarifRegion? Region { get; init; }
}

internal sealed class SarifArtifactLocation
{
    public required string Uri { get; init; }

    public string UriBaseId { get; init; } = "%SRCROOT%";
}

internal sealed class SarifRegion
{
    public int StartLine { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? StartColumn { get; init; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(SarifLog))]
internal sealed partial class SarifJsonContext : JsonSerializerContext
{
    /// <summary>Writes '+', '&lt;' and non-ASCII path characters as they are: the report is a file, never HTML.</summary>
    public static SarifJsonContext Relaxed { get; } = new(new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
}
