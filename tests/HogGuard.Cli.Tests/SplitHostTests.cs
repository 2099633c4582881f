using HogGuard.Cli.Tests.Infrastructure;
using HogGuard.Testing;

namespace HogGuard.Cli.Tests;

/// <summary>
/// PostHog Cloud serves the private API on its app host and capture and flags on its ingestion host;
/// the app host answers /batch/ and /flags/definitions with a redirect to an HTML login page
/// (posthog/urls.py). The emulator plays both on two ports: every command must use the right one,
/// and none may count the login page as success.
/// </summary>
public sealed class SplitHostTests
{
    private static object Seed(string personal, string secret, string projectToken) => new
    {
        projects = new object[] { new { id = 1, name = "Web", api_token = projectToken, secret_api_keys = new object[] { new { label = "flags", value = secret, scopes = new[] { "feature_flag:read" } } } } },
        users = new object[] { new { email = "dev@example.com", personal_api_keys = new object[] { new { label = "reader", value = personal, scopes = new[] { "insight:read" } } } } },
    };

    [Fact]
    public async Task ScanVerify_ChecksSecretKeysOnTheIngestionHost_AndNeverTakesTheLoginPageForAnAnswer()
    {
        var (personal, secret, projectToken) = (Tokens.New("phx_"), Tokens.New("phs_"), Tokens.New("phc_"));
        await using var emulator = await EmulatorHost.StartSplitAsync(Seed(personal, secret, projectToken));
        using var repo = new GitRepo(init: false);
        repo.Write("settings.env", $"POSTHOG_TOKEN={projectToken}\nPOSTHOG_SECRET={secret}\nPOSTHOG_READER={personal}\n");

        var split = Tool.Run(repo.Root, "scan", "--no-git", "--verify", "--host", emulator.Address, "--ingestion-host", emulator.IngestionAddress, "--format", "json");
        var appOnly = Tool.Run(repo.Root, "scan", "--no-git", "--verify", "--host", emulator.Address, "--format", "json");

        var good = Report.Parse(split);
        Assert.Equal("live", good.ByFingerprint(TestTokens.Sha256Prefix(secret)).GetProperty("verification").GetProperty("status").GetString());
        Assert.Equal("live", good.ByFingerprint(TestTokens.Sha256Prefix(personal)).GetProperty("verification").GetProperty("status").GetString());
        var bad = Report.Parse(appOnly).ByFingerprint(TestTokens.Sha256Prefix(secret)).GetProperty("verification");
        Assert.Equal("unknown", bad.GetProperty("status").GetString());
        Assert.Contains("302 redirecting to /login", bad.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Tool.AssertNoTokenLeaked(split);
        Tool.AssertNoTokenLeaked(appOnly);
    }

    [Fact]
    public async Task AuditShip_SendsToTheIngestionHost_ALoginPageLeavesTheCursorWhereItWas()
    {
        var projectToken = Tokens.New("phc_");
        await using var emulator = await EmulatorHost.StartSplitAsync(Seed(Tokens.New("phx_"), Tokens.New("phs_"), projectToken));
        using var folder = new GitRepo(init: false);
        var dir = Path.Combine(folder.Root, "audit");
        var append = Tool.RunWithInput(folder.Root, string.Concat(Enumerable.Range(1, 3).Select(i => $"{{\"action\":\"key.rotate\",\"user_id\":\"ci\",\"resource\":\"k{i}\",\"result\":\"success\"}}\n")), "audit", "append", dir);
        Assert.True(append.ExitCode == 0, append.ToString());

        var appOnly = Tool.Run(folder.Root, "audit", "ship", dir, "--host", emulator.Address, "--project-token", projectToken);
        var split = Tool.Run(folder.Root, "audit", "ship", dir, "--host", emulator.Address, "--ingestion-host", emulator.IngestionAddress, "--project-token", projectToken);

        Assert.Equal(2, appOnly.ExitCode);
        Assert.Contains("shipped 0 entries; 3 waiting; cursor at 0", appOnly.Stdout, StringComparison.Ordinal);
        Assert.Contains("redirecting to /login", appOnly.Stderr, StringComparison.Ordinal);
        Assert.True(split.ExitCode == 0, split.ToString());
        Assert.StartsWith("shipped 3 entries; 0 waiting", split.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task KeysAudit_UsesTheConfiguredIngestionHost_AndStopsRatherThanPassWithoutAVerdict()
    {
        var (personal, secret, projectToken) = (Tokens.New("phx_"), Tokens.New("phs_"), Tokens.New("phc_"));
        await using var emulator = await EmulatorHost.StartSplitAsync(Seed(personal, secret, projectToken));
        using var repo = new GitRepo(init: false);
        const string Keys = """
            environments:
              production:
                keys:
                  - { name: capture, source: "env:CAPTURE", purpose: capture }
                  - { name: flags, source: "env:FLAGS", purpose: flags }
            """;
        var environment = new Dictionary<string, string> { ["CAPTURE"] = projectToken, ["FLAGS"] = secret };
        repo.Write("split.yml", $"posthog:\n  hosts:\n    - {{ url: \"{emulator.Address}\", ingestion: \"{emulator.IngestionAddress}\" }}\n{Keys}");
        repo.Write("app-only.yml", $"posthog:\n  hosts:\n    - \"{emulator.Address}\"\n{Keys}");

        var split = Tool.RunWithEnvironment(repo.Root, null, environment, "keys", "audit", "--config", "split.yml", "--trust-config");
        var appOnly = Tool.RunWithEnvironment(repo.Root, null, environment, "keys", "audit", "--config", "app-only.yml", "--trust-config");

        Assert.True(split.ExitCode == 0, split.ToString());
        Assert.Equal(2, appOnly.ExitCode);
        Assert.Contains("could not audit production/flags", appOnly.Stderr, StringComparison.Ordinal);
        Assert.Contains("redirecting to /login", appOnly.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--ingestion-host", "http://127.0.0.1:9", "needs the --host")]
    [InlineData("--host", "http://127.0.0.1:9", "one --ingestion-host per --host")]
    public void IngestionHost_WithoutItsHost_Exits2(string option, string value, string expected)
    {
        using var repo = new GitRepo(init: false);
        string[] args = option == "--host"
            ? ["scan", "--no-git", "--verify", "--host", value, "--host", value, "--ingestion-host", value]
            : ["scan", "--no-git", "--verify", option, value];

        var result = Tool.Run(repo.Root, args);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(expected, result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RepositoryConfig_NamingAHostThatIsNotPostHogCloud_SendsNoKey_UnlessNamedOutsideTheRepository()
    {
        // A pull request adding posthog.hosts must not send CI's keys to its own host.
        var (personal, secret, projectToken) = (Tokens.New("phx_"), Tokens.New("phs_"), Tokens.New("phc_"));
        await using var emulator = await EmulatorHost.StartAsync(Seed(personal, secret, projectToken));
        using var repo = new GitRepo(init: false);
        repo.Write("hogguard.yml", $"posthog:\n  hosts: [\"{emulator.Address}\"]\nenvironments:\n  production:\n    keys:\n      - {{ name: reader, source: \"env:READER\", purpose: reader }}\n");
        var environment = new Dictionary<string, string> { ["READER"] = personal };

        var refused = Tool.RunWithEnvironment(repo.Root, null, environment, "keys", "audit");
        var check = Tool.RunWithEnvironment(repo.Root, null, environment, "check", ".", "--verify");
        var rotate = Tool.RunWithEnvironment(repo.Root, null, environment, "keys", "rotate", "--env", "production", "--key", "reader");
        var byVariable = Tool.RunWithEnvironment(repo.Root, null, new(environment) { ["HOGGUARD_HOSTS"] = emulator.Address }, "keys", "audit", "--fail-on", "critical");
        var trusted = Tool.RunWithEnvironment(repo.Root, null, environment, "keys", "audit", "--trust-config", "--fail-on", "critical");

        foreach (var run in new[] { refused, check, rotate })
        {
            Assert.True(run.ExitCode == 2, run.ToString());
            Assert.Contains("which is not PostHog Cloud", run.Stderr, StringComparison.Ordinal);
            Assert.Contains("--trust-config", run.Stderr, StringComparison.Ordinal);
        }

        Assert.True(byVariable.ExitCode == 0, byVariable.ToString());
        Assert.True(trusted.ExitCode == 0, trusted.ToString());
    }
}
