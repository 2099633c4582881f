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
            var problems = SarifMultitool.Validate(Path.Combine(repo.Root, file));
            Assert.True(problems.Count == 0, $"{file}:\n{string.Join("\n", problems)}");
            using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(repo.Root, file)));
            Assert.NotEqual(0, document.RootElement.GetProperty("runs")[0].GetProperty("results").GetArrayLength());
        }
    }
}
