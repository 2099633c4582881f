using System.Text.Json;
using System.Text.Json.Serialization;
using HogGuard.Detection;
using HogGuard.IO;

namespace HogGuard.Configuration;

/// <summary>
/// Known findings to hide, by rule and fingerprint. The file holds only fingerprints and masks,
/// never a secret, so it is safe to commit.
/// </summary>
public sealed class Baseline
{
    private readonly HashSet<(string Rule, string Fingerprint)> _known;

    private Baseline(HashSet<(string, string)> known) => _known = known;

    /// <summary>How many findings the baseline holds.</summary>
    public int Count => _known.Count;

    /// <summary>Whether the finding (rule and fingerprint) is in the baseline.</summary>
    public bool Contains(Finding finding) => _known.Contains((finding.Rule.Id, finding.Fingerprint));

    /// <summary>Reads a baseline written by <see cref="Write"/>.</summary>
    /// <exception cref="ConfigurationException">Missing, unreadable or malformed.</exception>
    /// <param name="shownAs">The path as the user gave it, for messages (default <paramref name="path"/>).</param>
    public static Baseline Load(string path, string? shownAs = null)
    {
        var name = shownAs ?? path;
        BaselineFile? file;
        try
        {
            file = JsonSerializer.Deserialize(RegularFile.ReadAllBytes(path, HogGuardConfig.MaxConfigBytes), BaselineJsonContext.Default.BaselineFile);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigurationException($"cannot read baseline {name}: {e.Message}", e);
        }
        catch (JsonException e)
        {
            throw new ConfigurationException($"baseline {name} is not valid JSON ({e.Message}); write a new one with --write-baseline {name}", e);
        }

        if (file is null || file.Version != 1 || file.Findings is null)
        {
            throw new ConfigurationException($"baseline {name} is not a HogGuard baseline (expected {{\"version\":1,\"findings\":[...]}}); write a new one with --write-baseline {name}");
        }

        var known = new HashSet<(string, string)>();
        foreach (var entry in file.Findings)
        {
            if (string.IsNullOrEmpty(entry.Rule) || string.IsNullOrEmpty(entry.Fingerprint))
            {
                throw new ConfigurationException($"baseline {name} has an entry without rule or fingerprint; write a new one with --write-baseline {name}");
            }

            known.Add((entry.Rule, entry.Fingerprint));
        }

        return new Baseline(known);
    }

    /// <summary>Writes the findings as a baseline, atomically.</summary>
    public static void Write(string path, IEnumerable<Finding> findings)
    {
        var file = new BaselineFile
        {
            Version = 1,
            Findings = [.. findings.Select(f => new BaselineEntry { Rule = f.Rule.Id, Fingerprint = f.Fingerprint, Masked = f.Masked })],
        };
        AtomicFile.WriteOutput(path, stream => JsonSerializer.Serialize(stream, file, BaselineJsonContext.Default.BaselineFile));
    }
}

internal sealed class BaselineFile
{
    [JsonPropertyName("version")]
    public int Version { get; set; }

    [JsonPropertyName("findings")]
    public List<BaselineEntry>? Findings { get; set; }
}

internal sealed class BaselineEntry
{
    [JsonPropertyName("rule")]
    public string? Rule { get; set; }

    [JsonPropertyName("fingerprint")]
    public string? Fingerprint { get; set; }

    [JsonPropertyName("masked")]
    public string? Masked { get; set; }
}

[JsonSourceGenerationOptions(WriteIndented = true)]
[JsonSerializable(typeof(BaselineFile))]
internal sealed partial class BaselineJsonContext : JsonSerializerContext;
