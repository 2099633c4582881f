using System.Diagnostics;
using System.Text.Json;
using HogGuard.Cli.Tests.Infrastructure;
using HogGuard.Testing;

namespace HogGuard.Cli.Tests;

/// <summary>
/// Every SARIF HogGuard writes (scan, keys audit, check) passes Microsoft's SARIF multitool with the
/// SARIF and GitHub code-scanning rules (<c>validate --rule-kind "Gh;Sarif"</c>): no error and no warning.
/// The multitool comes from npm (<c>@microsoft/sarif-multitool</c>); it is installed into
/// <c>tests/.tools</c> on first use (.ci/run installs it beforehand).
/// </summary>
public sealed class SarifValidationTests
{
    private const string MultitoolVersion = "5.7.0";

    [Fact]
    public async Task Sarif_OfScanKeysAuditAndCheck_PassesTheMultitoolsGitHubAndSarifRules()
    {
        var secret = Tokens.New("phx_");
        var seed = new
        {
            users = new object[] { new { email = "dev@example.com", personal_api_keys = new object[] { new { label = "all", value = secret, scopes = new[] { "*" } } } } },
        };
        await using var emulator = await EmulatorHost.StartAsync(seed);
        using var repo = new GitRepo();
        repo.Write(".env", $"POSTHOG_PERSONAL_API_KEY={secret}\n");
        repo.Write("hogguard.yml", """
            environments:
              production:
                keys:
                  - { name: reader, source: "env:READER", purpose: reader, scopes: [insight:read], max_age_days: 90 }
            """);
        repo.Commit("secret committed");
        var environment = new Dictionary<string, string> { ["READER"] = secret };

        var scan = Tool.Run(repo.Root, "scan", ".", "-f", "sarif", "-o", "scan.sarif");
        var audit = Tool.RunWithEnvironment(repo.Root, null, environment, "keys", "audit", "--host", emulator.Address, "-f", "sarif", "-o", "audit.sarif");
        var check = Tool.Run(repo.Root, "check", ".", "-f", "sarif", "-o", "check.sarif");

        Assert.True(scan.ExitCode == 1, scan.ToString());
        Assert.True(audit.ExitCode == 1, audit.ToString());
        Assert.True(check.ExitCode == 1, check.ToString());
        foreach (var file in new[] { "scan.sarif", "audit.sarif", "check.sarif" })
        {
            var problems = Validate(Path.Combine(repo.Root, file));
            Assert.True(problems.Count == 0, $"{file}:\n{string.Join("\n", problems)}");
            using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(repo.Root, file)));
            Assert.NotEqual(0, document.RootElement.GetProperty("runs")[0].GetProperty("results").GetArrayLength());
        }
    }

    /// <summary>The multitool's findings on a file: each "level ruleId: message".</summary>
    private static List<string> Validate(string sarif)
    {
        var output = sarif + ".validation.sarif";
        var run = Run(Multitool(), "validate", "--rule-kind", "Gh;Sarif", "-o", output, sarif);
        Assert.True(File.Exists(output), $"the multitool wrote no output:\n{run}");
        using var document = JsonDocument.Parse(File.ReadAllText(output));
        var results = document.RootElement.GetProperty("runs")[0].TryGetProperty("results", out var r) ? r.EnumerateArray().ToList() : [];
        return [.. results.Select(x => $"{x.GetProperty("level").GetString()} {x.GetProperty("ruleId").GetString()}: {Describe(x.GetProperty("message"))}")];
    }

    /// <summary>The multitool writes message ids with arguments (the rule's text is in its metadata).</summary>
    private static string Describe(JsonElement message) =>
        message.TryGetProperty("text", out var text) ? text.GetString() ?? string.Empty
        : $"{(message.TryGetProperty("id", out var id) ? id.GetString() : "?")} [{(message.TryGetProperty("arguments", out var args) ? string.Join(" | ", args.EnumerateArray().Select(a => a.GetString())) : string.Empty)}]";

    private static readonly Lock InstallGate = new();

    /// <summary>The multitool's native binary, installed with npm into tests/.tools when it is not there yet.</summary>
    private static string Multitool()
    {
        var root = RepositoryRoot();
        var tools = Path.Combine(root, "tests", ".tools");
        var binary = Path.Combine(tools, "node_modules", "@microsoft", "sarif-multitool-linux", "Sarif.Multitool");
        lock (InstallGate)
        {
            if (!File.Exists(binary))
            {
                Directory.CreateDirectory(tools);
                var install = Run("npm", "install", "--prefix", tools, "--no-audit", "--no-fund", $"@microsoft/sarif-multitool@{MultitoolVersion}");
                Assert.True(File.Exists(binary), $"npm could not install @microsoft/sarif-multitool@{MultitoolVersion} into {tools} (npm and the npm registry are needed):\n{install}");
            }
        }

        return binary;
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "HogGuard.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("HogGuard.slnx not found above the test assembly");
    }

    private static string Run(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
        }

        return $"exit {process.ExitCode}\n{stdout}\n{stderr.Result}";
    }
}
