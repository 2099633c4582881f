using HogGuard.Testing;
using System.Text.RegularExpressions;
using HogGuard.Cli.Tests.Infrastructure;
using YamlDotNet.RepresentationModel;

namespace HogGuard.Cli.Tests;

/// <summary>
/// The repository's <c>action.yml</c>, its steps run as a GitHub runner runs a composite action's
/// <c>run:</c> steps: each step's <c>env</c> with <c>${{ inputs.* }}</c> and
/// <c>${{ github.action_path }}</c> filled in as GitHub fills them, <c>bash --noprofile --norc -eo
/// pipefail</c>, <c>GITHUB_PATH</c>, <c>GITHUB_OUTPUT</c> and <c>GITHUB_STEP_SUMMARY</c> files read
/// back between steps. The <c>uses:</c> step (actions/setup-dotnet) needs GitHub and is left out by
/// its own <c>if</c> (setup-dotnet: false), as a job that already has .NET would.
/// </summary>
public sealed partial class GitHubActionTests : IDisposable
{
    private readonly string _runner = Directory.CreateTempSubdirectory("hogguard-runner-").FullName;

    public void Dispose() => Directory.Delete(_runner, recursive: true);

    [Fact]
    public void Action_OnAPullRequestRange_AnnotatesWritesValidSarifAndFails()
    {
        using var workspace = new GitRepo();
        var old = Tokens.New("phx_");
        workspace.Write("legacy.txt", old);
        var baseCommit = workspace.Commit("before the pull request");
        var token = Tokens.New("phs_");
        workspace.Write("deploy/app.env.example", "POSTHOG_SECRET_KEY=" + token + "\n");
        var head = workspace.Commit("the pull request");
        var inputs = Inputs(("range", $"{baseCommit}..{head}"), ("setup-dotnet", "false"));

        var runs = RunAction(workspace.Root, inputs);

        Assert.Equal(["Install hogguard", "Scan for PostHog secrets"], runs.Select(r => r.Name));
        Assert.True(runs[0].Code == 0, runs[0].Output);
        var scan = runs[1];
        Assert.Equal(1, scan.Code);
        Assert.True(scan.Output.Contains("::error file=deploy/app.env.example,line=1,col=20,title=posthog-project-secret-api-key (critical)::", StringComparison.Ordinal), scan.Output);
        Assert.DoesNotContain(Fingerprint(old), scan.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(token, scan.Output, StringComparison.Ordinal);
        Assert.Contains("exit-code=1", File.ReadAllText(Path.Combine(_runner, "output")), StringComparison.Ordinal);
        Assert.Contains("sarif=hogguard.sarif", File.ReadAllText(Path.Combine(_runner, "output")), StringComparison.Ordinal);
        Assert.Contains("PostHog secrets found", File.ReadAllText(Path.Combine(_runner, "summary")), StringComparison.Ordinal);
        var sarif = Path.Combine(workspace.Root, "hogguard.sarif");
        Assert.Contains(Fingerprint(token), File.ReadAllText(sarif), StringComparison.Ordinal);
        var problems = SarifMultitool.Validate(sarif);
        Assert.True(problems.Count == 0, string.Join("\n", problems));

        // Report only: the same step with fail-on none passes and still writes the report.
        var reportOnly = RunStep(StepsOf()[^1], workspace.Root, Inputs(("fail-on", "none"), ("args", "--no-baseline"), ("setup-dotnet", "false")));
        Assert.True(reportOnly.Code == 0, reportOnly.Output);
        Assert.Contains("::error file=legacy.txt", reportOnly.Output, StringComparison.Ordinal);

        // Installing from a package source instead: the package the first run built, on a fresh runner.
        var source = Path.Combine(_runner, "temp", "hogguard-packages");
        var package = Assert.Single(Directory.GetFiles(source, "HogGuard.Cli.*.nupkg"));
        var version = Path.GetFileNameWithoutExtension(package)["HogGuard.Cli.".Length..];
        var fresh = Path.Combine(_runner, "fresh");
        Directory.CreateDirectory(fresh);
        var fromSource = RunStep(StepsOf().Single(s => Scalar(s, "name") == "Install hogguard"), workspace.Root, Inputs(("version", version), ("package-source", source), ("setup-dotnet", "false")), fresh);
        Assert.True(fromSource.Code == 0, fromSource.Output);
        Assert.True(File.Exists(Path.Combine(fresh, "temp", "hogguard-tool", "hogguard")), fromSource.Output);
    }

    private static string Fingerprint(string token) => HogGuard.Testing.TestTokens.Sha256Prefix(token);

    /// <summary>The action's inputs as GitHub passes them: each given value, else its default.</summary>
    private static Dictionary<string, string> Inputs(params (string Name, string Value)[] given)
    {
        var inputs = (YamlMappingNode)Action()["inputs"];
        var values = inputs.Children.ToDictionary(
            i => ((YamlScalarNode)i.Key).Value!,
            i => ((YamlMappingNode)i.Value).Children.TryGetValue(new YamlScalarNode("default"), out var d) ? ((YamlScalarNode)d).Value ?? string.Empty : string.Empty);
        foreach (var (name, value) in given)
        {
            Assert.True(values.ContainsKey(name), $"action.yml has no input '{name}'");
            values[name] = value;
        }

        return values;
    }

    private static YamlMappingNode Action()
    {
        var yaml = new YamlStream();
        yaml.Load(new StringReader(File.ReadAllText(Path.Combine(ProcessRunner.RepositoryRoot, "action.yml"))));
        return (YamlMappingNode)yaml.Documents[0].RootNode;
    }

    private static List<YamlMappingNode> StepsOf() =>
        [.. ((YamlSequenceNode)((YamlMappingNode)Action()["runs"])["steps"]).Children.Cast<YamlMappingNode>()];

    private List<(string Name, int Code, string Output)> RunAction(string workspace, Dictionary<string, string> inputs)
    {
        var runs = new List<(string, int, string)>();
        foreach (var step in StepsOf())
        {
            if (!Applies(step, inputs))
            {
                continue;
            }

            Assert.True(step.Children.ContainsKey(new YamlScalarNode("run")), $"step '{Scalar(step, "name")}' runs no script but would run here");
            var (code, output) = RunStep(step, workspace, inputs);
            runs.Add((Scalar(step, "name"), code, output));
            if (code != 0)
            {
                break;
            }
        }

        return runs;
    }

    /// <summary>A step's <c>if</c>; the action only uses <c>inputs.NAME == 'VALUE'</c>.</summary>
    private static bool Applies(YamlMappingNode step, Dictionary<string, string> inputs)
    {
        if (!step.Children.TryGetValue(new YamlScalarNode("if"), out var condition))
        {
            return true;
        }

        var match = IfPattern().Match(((YamlScalarNode)condition).Value!);
        Assert.True(match.Success, $"the test does not know this condition: {condition}");
        return inputs[match.Groups[1].Value] == match.Groups[2].Value;
    }

    /// <param name="runner">The runner's own folder (temp, output files); default this test's.</param>
    private (int Code, string Output) RunStep(YamlMappingNode step, string workspace, Dictionary<string, string> inputs, string? runner = null)
    {
        runner ??= _runner;
        Assert.Equal("bash", Scalar(step, "shell"));
        var script = Path.Combine(runner, "step.sh");
        File.WriteAllText(script, Scalar(step, "run"));
        var pathFile = Path.Combine(runner, "path");
        var path = File.Exists(pathFile) ? string.Join(':', File.ReadAllLines(pathFile).Where(l => l.Length > 0).Reverse()) + ":" : string.Empty;
        var environment = new Dictionary<string, string>
        {
            ["RUNNER_TEMP"] = Path.Combine(runner, "temp"),
            ["GITHUB_WORKSPACE"] = workspace,
            ["GITHUB_PATH"] = pathFile,
            ["GITHUB_OUTPUT"] = Path.Combine(runner, "output"),
            ["GITHUB_STEP_SUMMARY"] = Path.Combine(runner, "summary"),
            ["GITHUB_ACTIONS"] = "true",
            ["PATH"] = path + Environment.GetEnvironmentVariable("PATH"),
        };
        Directory.CreateDirectory(environment["RUNNER_TEMP"]);
        if (step.Children.TryGetValue(new YamlScalarNode("env"), out var env))
        {
            foreach (var (key, value) in ((YamlMappingNode)env).Children)
            {
                environment[((YamlScalarNode)key).Value!] = Expression(((YamlScalarNode)value).Value ?? string.Empty, inputs);
            }
        }

        return ProcessRunner.Run("bash", ["--noprofile", "--norc", "-eo", "pipefail", script], workspace, environment, TimeSpan.FromMinutes(8));
    }

    /// <summary>GitHub's <c>${{ }}</c> in the forms the action uses: an input, or the action's own folder.</summary>
    private static string Expression(string text, Dictionary<string, string> inputs) =>
        ExpressionPattern().Replace(text, m => m.Groups[1].Value switch
        {
            "github.action_path" => ProcessRunner.RepositoryRoot,
            var e when e.StartsWith("inputs.", StringComparison.Ordinal) => inputs[e["inputs.".Length..]],
            var e => throw new InvalidOperationException($"the test does not know the expression {e}"),
        });

    private static string Scalar(YamlMappingNode node, string key) => ((YamlScalarNode)node[key]).Value ?? string.Empty;

    [GeneratedRegex(@"\$\{\{\s*([\w.-]+)\s*\}\}")]
    private static partial Regex ExpressionPattern();

    [GeneratedRegex(@"^inputs\.([\w-]+) == '([^']*)'$")]
    private static partial Regex IfPattern();
}
