using HogGuard.Testing;
using System.Text.Json;

namespace HogGuard.Cli.Tests.Infrastructure;

/// <summary>
/// Microsoft's SARIF multitool (npm <c>@microsoft/sarif-multitool</c>), installed into
/// <c>tests/.tools</c> on first use (.ci/run installs it beforehand).
/// </summary>
internal static class SarifMultitool
{
    private const string MultitoolVersion = "5.7.0";

    private static readonly Lock InstallGate = new();

    /// <summary>The multitool's findings on a file with the SARIF and GitHub rules (<c>--rule-kind "Gh;Sarif"</c>): each "level ruleId: message".</summary>
    public static List<string> Validate(string sarif)
    {
        var output = sarif + ".validation.sarif";
        var run = ProcessRunner.Run(Multitool(), ["validate", "--rule-kind", "Gh;Sarif", "-o", output, sarif]);
        Assert.True(File.Exists(output), $"the multitool wrote no output:\n{run.Output}");
        using var document = JsonDocument.Parse(File.ReadAllText(output));
        var results = document.RootElement.GetProperty("runs")[0].TryGetProperty("results", out var r) ? r.EnumerateArray().ToList() : [];
        return [.. results.Select(x => $"{x.GetProperty("level").GetString()} {x.GetProperty("ruleId").GetString()}: {Describe(x.GetProperty("message"))}")];
    }

    /// <summary>The multitool writes message ids with arguments (the rule's text is in its metadata).</summary>
    private static string Describe(JsonElement message) =>
        message.TryGetProperty("text", out var text) ? text.GetString() ?? string.Empty
        : $"{(message.TryGetProperty("id", out var id) ? id.GetString() : "?")} [{(message.TryGetProperty("arguments", out var args) ? string.Join(" | ", args.EnumerateArray().Select(a => a.GetString())) : string.Empty)}]";

    /// <summary>The multitool's native binary, installed with npm into tests/.tools when it is not there yet.</summary>
    private static string Multitool()
    {
        var tools = Path.Combine(ProcessRunner.RepositoryRoot, "tests", ".tools");
        var binary = Path.Combine(tools, "node_modules", "@microsoft", "sarif-multitool-linux", "Sarif.Multitool");
        lock (InstallGate)
        {
            if (!File.Exists(binary))
            {
                Directory.CreateDirectory(tools);
                var install = ProcessRunner.Run("npm", ["install", "--prefix", tools, "--no-audit", "--no-fund", $"@microsoft/sarif-multitool@{MultitoolVersion}"]);
                Assert.True(File.Exists(binary), $"npm could not install @microsoft/sarif-multitool@{MultitoolVersion} into {tools} (npm and the npm registry are needed):\n{install.Output}");
            }
        }

        return binary;
    }
}
