using System.Globalization;
using HogGuard.Cli.Tests.Infrastructure;
using HogGuard.Testing;

namespace HogGuard.Cli.Tests;

/// <summary><c>hogguard keys audit</c> end to end: keys read from env, .env, JSON and user secrets, introspected on the emulator.</summary>
public sealed class KeysAuditTests
{
    private static string Days(int ago) => DateTimeOffset.UtcNow.AddDays(-ago).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    [Fact]
    public async Task Audit_EveryPolicyProblem_IsReportedOnceWithItsEnvironment()
    {
        var capture = Tokens.New("phc_");
        var prodReader = Tokens.New("phx_");
        var flags = Tokens.New("phs_");
        var stagingReader = Tokens.New("phx_");
        var stagingCaptureWrong = Tokens.New("phx_");
        var unknown = Tokens.New("phx_");
        // Older PostHog versions answer @current with the last use before the request (see the next tests for today's).
        var seed = new
        {
            current_shows_previous_use = true,
            projects = new object[] { new { id = 1, name = "Web", api_token = capture, secret_api_keys = new object[] { new { label = "flags", value = flags, scopes = new[] { "feature_flag:read" } } } } },
            users = new object[]
            {
                new
                {
                    email = "dev@example.com",
                    personal_api_keys = new object[]
                    {
                        new { label = "prod-reader", value = prodReader, scopes = new[] { "insight:read", "insight:write" }, created_at = Days(200), last_used_at = Days(2), scoped_teams = new[] { 1 } },
                        new { label = "staging", value = stagingReader, scopes = new[] { "*" }, created_at = Days(80) },
                        new { label = "wrong", value = stagingCaptureWrong, scopes = new[] { "query:read" }, created_at = Days(1), last_used_at = Days(1) },
                    },
                },
            },
        };
        await using var emulator = await EmulatorHost.StartAsync(seed);
        using var repo = new GitRepo(init: false);
        var home = Path.Combine(repo.Root, "home");
        repo.Write(".env.production", $"# production\nexport POSTHOG_READER=\"{prodReader}\"\n");
        repo.Write("appsettings.Production.json", $$"""{ "PostHog": { "WriterKey": "{{prodReader}}" } }""");
        repo.Write("home/.microsoft/usersecrets/app-secrets-id/secrets.json", $$"""{ "PostHog:FlagsKey": "{{flags}}" }""");
        repo.Write("hogguard.yml", """
            environments:
              production:
                keys:
                  - { name: capture, source: "env:PROD_CAPTURE", purpose: capture }
                  - { name: reader, source: "dotenv:.env.production#POSTHOG_READER", purpose: reader, scopes: [insight:read], max_age_days: 90 }
                  - { name: writer, source: "json:appsettings.Production.json#PostHog:WriterKey", purpose: writer }
                  - { name: flags, source: "user-secrets:app-secrets-id#PostHog:FlagsKey", purpose: flags }
              staging:
                keys:
                  - { name: reader, source: "env:STAGING_READER", purpose: reader, scopes: [insight:read], max_age_days: 90, project_scoped: true }
                  - { name: capture, source: "env:STAGING_CAPTURE", purpose: capture }
                  - { name: web, source: "env:PROD_CAPTURE", purpose: capture }
                  - { name: writer, source: "env:STAGING_WRITER", purpose: writer }
                  - { name: flags, source: "env:STAGING_FLAGS", purpose: flags }
            """);
        var environment = new Dictionary<string, string>
        {
            ["HOME"] = home,
            ["PROD_CAPTURE"] = capture,
            ["STAGING_READER"] = stagingReader,
            ["STAGING_CAPTURE"] = stagingCaptureWrong,
            ["STAGING_WRITER"] = unknown,
        };

        var result = Tool.RunWithEnvironment(repo.Root, null, environment, "keys", "audit", "--host", emulator.Address, "--format", "json");

        Assert.True(result.ExitCode == 1, result.ToString());
        var findings = Report.Parse(result).Findings
            .Select(f => (Env: f.TryGetProperty("environment", out var e) ? e.GetString() : null, Rule: f.GetProperty("rule").GetString(), Detail: f.TryGetProperty("detail", out var d) ? d.GetString() : null))
            .ToList();
        Assert.Contains(("production", "key-excess-scopes", "beyond the policy: insight:write"), findings);
        Assert.Contains(findings, f => f is ("production", "key-rotation-overdue", _) && f.Detail!.StartsWith("due on ", StringComparison.Ordinal) && f.Detail.EndsWith("; run: hogguard keys rotate --env production --key reader", StringComparison.Ordinal));
        Assert.Contains(findings, f => f is ("production", "key-reader-writer-shared", "reader and writer are the same key"));
        Assert.Contains(("staging", "key-wildcard-scope", "scopes: *"), findings);
        Assert.Contains(("staging", "key-unused", "never used"), findings);
        Assert.Contains(("staging", "key-not-project-scoped", "not limited to any project"), findings);
        Assert.Contains(findings, f => f is ("staging", "key-rotation-due-soon", _));
        Assert.Contains(findings, f => f is ("staging", "key-wrong-kind", _) && f.Detail!.Contains("phc_", StringComparison.Ordinal));
        Assert.Contains(findings, f => f is ("staging", "key-invalid", _));
        Assert.Contains(findings, f => f is ("staging", "key-missing", _) && f.Detail!.Contains("env:STAGING_FLAGS", StringComparison.Ordinal));
        Assert.Contains(findings, f => f is (null, "key-shared-across-environments", "used by production/capture, staging/web"));
        Assert.DoesNotContain(findings, f => f.Env == "production" && f.Rule is "key-unused" or "key-invalid" or "key-missing" or "key-wildcard-scope");
        Assert.Equal(findings.Count, findings.Distinct().Count());
    }

    [Fact]
    public async Task Audit_CleanPolicy_Exits0AndSaysSo()
    {
        var reader = Tokens.New("phx_");
        var seed = new { users = new object[] { new { email = "dev@example.com", personal_api_keys = new object[] { new { label = "r", value = reader, scopes = new[] { "insight:read" }, last_used_at = Days(1), scoped_teams = new[] { 1 } } } } } };
        await using var emulator = await EmulatorHost.StartAsync(seed);
        using var repo = new GitRepo(init: false);
        repo.Write("hogguard.yml", "environments:\n  production:\n    keys:\n      - { name: reader, source: \"env:READER\", purpose: reader, scopes: [insight:write], max_age_days: 365, project_scoped: true }\n");

        var result = Tool.RunWithEnvironment(repo.Root, null, new() { ["READER"] = reader }, "keys", "audit", "--host", emulator.Address);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("every key is within its policy", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Audit_KeyNotUsedWithinUnusedDays_IsReportedWithItsLastUse()
    {
        var reader = Tokens.New("phx_");
        var seed = new { current_shows_previous_use = true, users = new object[] { new { email = "dev@example.com", personal_api_keys = new object[] { new { label = "r", value = reader, scopes = new[] { "insight:read" }, last_used_at = Days(45) } } } } };
        await using var emulator = await EmulatorHost.StartAsync(seed);
        using var repo = new GitRepo(init: false);
        repo.Write("hogguard.yml", "audit:\n  unused_days: 30\nenvironments:\n  production:\n    keys:\n      - { name: reader, source: \"env:READER\", purpose: reader }\n");

        var result = Tool.RunWithEnvironment(repo.Root, null, new() { ["READER"] = reader }, "keys", "audit", "--host", emulator.Address, "--format", "json", "--fail-on", "medium");

        Assert.Equal(1, result.ExitCode);
        var finding = Report.Parse(result).Single("key-unused");
        Assert.Equal($"last used {DateTimeOffset.UtcNow.AddDays(-45):yyyy-MM-dd}", finding.GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData("environments:\n  prod:\n    keys:\n      - { name: r, source: \"vault:x\", purpose: reader }\n", "hogguard.yml:4:")]
    [InlineData("environments:\n  prod:\n    keys:\n      - { name: r, source: \"env:X\", purpose: admin }\n", "purpose 'admin'")]
    [InlineData("environments:\n  prod:\n    keys:\n      - { name: r, source: \"env:X\", purpose: reader, scopes: [insights] }\n", "'insights' is not a scope")]
    [InlineData("environments:\n  prod:\n    keys:\n      - { name: r, purpose: reader }\n", "lacks source")]
    [InlineData("scan:\n  allow_paths: []\n", "names no keys")]
    public void Audit_MalformedConfiguration_Exits2WithLineAndColumn(string yaml, string expected)
    {
        using var repo = new GitRepo(init: false);
        repo.Write("hogguard.yml", yaml);

        var result = Tool.Run(repo.Root, "keys", "audit");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(expected, result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Audit_HostThatDoesNotAnswer_Exits2NamingItAndWritesNothing()
    {
        using var repo = new GitRepo(init: false);
        repo.Write("hogguard.yml", "environments:\n  prod:\n    keys:\n      - { name: r, source: \"env:READER\", purpose: reader }\n");
        var output = Path.Combine(repo.Root, "audit.json");

        var result = Tool.RunWithEnvironment(repo.Root, null, new() { ["READER"] = Tokens.New("phx_") }, "keys", "audit", "--host", "http://127.0.0.1:9", "--output", output);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("http://127.0.0.1:9", result.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(output));
    }

    [Fact]
    public void Audit_NoConfiguration_Exits2()
    {
        using var repo = new GitRepo(init: false);
        var result = Tool.Run(repo.Root, "keys", "audit");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("hogguard.yml does not exist", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Audit_PostHogStampsItsOwnRequest_NoFalseVerdict_AndTheAuditTimeIsKeptByFingerprint()
    {
        // posthog/auth.py: the request that authenticates sets last_used_at, and @current shows it.
        var reader = Tokens.New("phx_");
        var seed = new { users = new object[] { new { email = "dev@example.com", personal_api_keys = new object[] { new { label = "r", value = reader, scopes = new[] { "insight:read" }, last_used_at = Days(45), scoped_teams = new[] { 1 } } } } } };
        await using var emulator = await EmulatorHost.StartAsync(seed);
        using var repo = new GitRepo(init: false);
        repo.Write("hogguard.yml", "audit:\n  unused_days: 30\nenvironments:\n  production:\n    keys:\n      - { name: reader, source: \"env:READER\", purpose: reader, scopes: [insight:read], project_scoped: true }\n");

        var first = Tool.RunWithEnvironment(repo.Root, null, new() { ["READER"] = reader }, "keys", "audit", "--host", emulator.Address, "--format", "json", "--fail-on", "low");
        var second = Tool.RunWithEnvironment(repo.Root, null, new() { ["READER"] = reader }, "keys", "audit", "--host", emulator.Address, "--format", "json", "--fail-on", "low");

        // The first audit's own request is the only use PostHog shows: it must not count as "used today",
        // and 45 days cannot be claimed either; the second sees the first audit's stamp, seconds old.
        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.True(second.ExitCode == 0, second.ToString());
        var history = File.ReadAllText(Path.Combine(repo.Root, ".hogguard", "key-audits.tsv"));
        Assert.Contains(HogGuard.Testing.TestTokens.Sha256Prefix(reader), history, StringComparison.Ordinal);
        Assert.DoesNotContain(reader, history, StringComparison.Ordinal);
    }
}
