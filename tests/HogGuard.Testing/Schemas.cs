using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;
using YamlDotNet.RepresentationModel;

namespace HogGuard.Testing;

/// <summary>
/// The JSON Schemas in <c>schemas/</c>, checked with JsonSchema.Net: every report the suite writes
/// is validated against its schema, and every hogguard.yml HogGuard accepts against the
/// configuration's schema (read as JSON, each YAML scalar a string, as the parser reads them).
/// </summary>
public static class Schemas
{
    private static string Folder => Path.Combine(ProcessRunner.RepositoryRoot, "schemas");

    private static readonly Dictionary<string, JsonSchema> Loaded = [];
    private static readonly Lock Gate = new();

    /// <summary>The scan and keys-audit JSON report.</summary>
    public const string Report = "report";

    /// <summary>The check JSON report.</summary>
    public const string Check = "check";

    /// <summary>hogguard.yml.</summary>
    public const string Config = "hogguard";

    /// <summary>The problems of <paramref name="json"/> against schemas/NAME.schema.json; empty when it is valid.</summary>
    public static List<string> Problems(string name, string json) => Problems(name, JsonNode.Parse(json));

    public static void AssertValid(string name, string json)
    {
        var problems = Problems(name, json);
        Assert.True(problems.Count == 0, $"not valid against schemas/{name}.schema.json:\n{string.Join("\n", problems)}\n{json}");
    }

    /// <summary>The problems of a hogguard.yml (its text) against the configuration's schema.</summary>
    public static List<string> ConfigProblems(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return Problems(Config, stream.Documents.Count == 0 ? null : ToJson(stream.Documents[0].RootNode));
    }

    private static List<string> Problems(string name, JsonNode? node)
    {
        JsonSchema schema;
        lock (Gate)
        {
            if (!Loaded.TryGetValue(name, out schema!))
            {
                schema = JsonSchema.FromText(File.ReadAllText(Path.Combine(Folder, name + ".schema.json")));
                Loaded[name] = schema;
            }
        }

        var element = JsonSerializer.SerializeToElement(node);
        var results = schema.Evaluate(element, new EvaluationOptions { OutputFormat = OutputFormat.List });
        if (results.IsValid)
        {
            return [];
        }

        return [.. (results.Details ?? []).Where(d => d.Errors is { Count: > 0 }).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}"))];
    }

    private static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode map => new JsonObject(map.Children.Select(c => KeyValuePair.Create(((YamlScalarNode)c.Key).Value ?? string.Empty, ToJson(c.Value)))),
        YamlSequenceNode list => new JsonArray([.. list.Children.Select(ToJson)]),
        YamlScalarNode { Value: null or "" or "~" or "null" } => null,
        YamlScalarNode scalar => JsonValue.Create(scalar.Value),
        _ => null,
    };
}
