using System.Globalization;
using System.Text.Json;
using HogGuard.Cli.Tests.Infrastructure;
using HogGuard.Testing;

namespace HogGuard.Cli.Tests;

/// <summary><c>hogguard check</c> end to end on repositories the tests build: every item passing, and every item failing.</summary>
public sealed class CheckCommandTests
{
    private static string Days(int ago) => DateTimeOffset.UtcNow.AddDays(-ago).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    private static Dictionary<string, string> Statuses(ToolResult result)
    {
        using var document = JsonDocument.Parse(result.Stdout);
        return document.RootElement.GetProperty("items").EnumerateArray()
            .ToDictionary(i => i.GetProperty("id").GetString()!, i => i.GetProperty("status").GetString()!);
    }

    [Fact]
    public async Task Check_ACarefulRepository_PassesEveryItem()
    {
        var prodReader = Tokens.New("phx_");
        var stagingReader = Tokens.New("phx_");
        var seed = new
        {
            projects = new object[] { new { id = 1, name = "Web" } },
            users = new object[]
            {
                new
                {
                    email = "dev@example.com",
                    personal_api_keys = new object[]
                    {
                        new { label = "prod", value = prodReader, scopes = new[] { "insight:read" }, created_at = Days(10), last_used_at = Days(1), scoped_teams = new[] { 1 } },
                        new { label = "staging", value = stagingReader, scopes = new[] { "insight:read" }, created_at = Days(10), last_used_at = Days(1), scoped_teams = new[] { 1 } },
                    },
                },
            },
        };
        await using var emulator = await EmulatorHost.StartAsync(seed);
        using var repo = new GitRepo();
        repo.Write(".gitignore", ".env\n.env.local\n.env.*.local\n.hogguard/\n");
        repo.Write(".env", $"POSTHOG_READER={prodReader}\n");
        repo.Write("src/app.js", "const key = process.env.POSTHOG_READER;\n");
        repo.Write("hogguard.yml", """
            environments:
              production:
                keys:
                  - { name: reader, source: "dotenv:.env#POSTHOG_READER", purpose: reader, scopes: [insight:read], max_age_days: 90 }
              staging:
                keys:
                  - { name: reader, source: "env:STAGING_READER", purpose: reader, scopes: [insight:read], max_age_days: 90 }
            webhooks:
              - { name: posthog, secret: "env:WEBHOOK_SECRET" }
            audit:
              directory: audit
            """);
        repo.Commit("app");
        var appended = Tool.RunWithInput(repo.Root, "{\"action\":\"deploy\",\"user_id\":\"ci\",\"resource\":\"web\",\"result\":\"success\"}\n", "audit", "append", "audit");
        Assert.True(appended.ExitCode == 0, appended.ToString());
        var environment = new Dictionary<string, string> { ["STAGING_READER"] = stagingReader, ["WEBHOOK_SECRET"] = "whsec_" + Convert.ToBase64String(new byte[32]) };

        var result = Tool.RunWithEnvironment(repo.Root, null, environment, "check", ".", "--verify", "--host", emulator.Address, "--format", "json");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(
            new Dictionary<string, string>
            {
                ["keys-not-in-code"] = "pass",
                ["env-files-ignored"] = "pass",
                ["key-per-environment"] = "pass",
                ["minimal-scopes"] = "pass",
                ["webhook-signatures"] = "pass",
                ["audit-logging"] = "pass",
                ["rotation-schedule"] = "pass",
            },
            Statuses(result));
        Tool.AssertNoTokenLeaked(result);
    }

    [Fact]
    public async Task Check_ACarelessRepository_FailsEachItemWithEvidenceAndFix()
    {
        var shared = Tokens.New("phx_");
        var leaked = Tokens.New("phs_");
        var seed = new
        {
            projects = new object[] { new { id = 1, name = "Web" } },
            users = new object[] { new { email = "dev@example.com", personal_api_keys = new object[] { new { label = "old", value = shared, scopes = new[] { "*" }, created_at = Days(400) } } } },
        };
        await using var emulator = await EmulatorHost.StartAsync(seed);
        using var repo = new GitRepo();
        repo.Write(".env", $"POSTHOG_READER={shared}\n");
        repo.Write("src/flags.py", $"SECRET = \"{leaked}\"\n");
        repo.Write("hogguard.yml", """
            environments:
              production:
                keys:
                  - { name: reader, source: "dotenv:.env#POSTHOG_READER", purpose: reader, scopes: [insight:read, insight:write], max_age_days: 90 }
              staging:
                keys:
                  - { name: reader, source: "dotenv:.env#POSTHOG_READER", purpose: reader, max_age_days: 90 }
            webhooks:
              - { name: posthog }
            """);
        repo.Commit("careless");

        var result = Tool.Run(repo.Root, "check", ".", "--verify", "--host", emulator.Address, "--format", "json");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.All(Statuses(result), pair => Assert.True(pair.Value == "fail", $"{pair.Key} is {pair.Value}\n{result}"));
        using var document = JsonDocument.Parse(result.Stdout);
        var items = document.RootElement.GetProperty("items").EnumerateArray().ToList();
        Assert.All(items, i => Assert.False(string.IsNullOrEmpty(i.GetProperty("fix").GetString())));
        string Evidence(string id) => string.Join("\n", items.Single(i => i.GetProperty("id").GetString() == id).GetProperty("evidence").EnumerateArray().Select(e => e.GetString()));
        Assert.Contains("src/flags.py:1 posthog-project-secret-api-key", Evidence("keys-not-in-code"), StringComparison.Ordinal);
        Assert.Contains("tracked: .env", Evidence("env-files-ignored"), StringComparison.Ordinal);
        Assert.Contains("serves production/reader, staging/reader", Evidence("key-per-environment"), StringComparison.Ordinal);
        Assert.Contains("a reader whose policy allows insight:write", Evidence("minimal-scopes"), StringComparison.Ordinal);
        Assert.Contains("key-wildcard-scope", Evidence("minimal-scopes"), StringComparison.Ordinal);
        Assert.Contains("webhook 'posthog' has no secret configured", Evidence("webhook-signatures"), StringComparison.Ordinal);
        Assert.Contains("names no audit.directory", Evidence("audit-logging"), StringComparison.Ordinal);
        Assert.Contains("run: hogguard keys rotate --env production --key reader", Evidence("rotation-schedule"), StringComparison.Ordinal);
        Tool.AssertNoTokenLeaked(result);
    }

    [Fact]
    public void Check_Formats_TextMarkdownSarif_AgreeOnTheFailures()
    {
        using var repo = new GitRepo();
        repo.Write(".env", $"POSTHOG_KEY={Tokens.New("phx_")}\n");
        repo.Commit("env");

        var text = Tool.Run(repo.Root, "check");
        var markdown = Tool.Run(repo.Root, "check", "--format", "markdown");
        var sarif = Tool.Run(repo.Root, "check", "--format", "sarif");

        Assert.True(text.ExitCode == 1, text.ToString());
        Assert.Contains("FAIL  1. Keys live in environment variables, not in code", text.Stdout, StringComparison.Ordinal);
        Assert.Contains("SKIP  3. A different key per environment", text.Stdout, StringComparison.Ordinal);
        Assert.Contains("fix: ", text.Stdout, StringComparison.Ordinal);
        Assert.Contains("| ❌ FAIL | 2. .env files are ignored and none is tracked |", markdown.Stdout, StringComparison.Ordinal);
        using var document = JsonDocument.Parse(sarif.Stdout);
        var results = document.RootElement.GetProperty("runs")[0].GetProperty("results").EnumerateArray().Select(r => r.GetProperty("ruleId").GetString()).ToList();
        Assert.Contains("checklist-1-keys-not-in-code", results);
        Assert.Contains("checklist-2-env-files-ignored", results);
        Assert.Contains("checklist-6-audit-logging", results);
        Tool.AssertNoTokenLeaked(text);
        Tool.AssertNoTokenLeaked(markdown);
        Tool.AssertNoTokenLeaked(sarif);
    }

    [Fact]
    public void Check_BadInput_OneLineAndExitTwo()
    {
        using var repo = new GitRepo();
        repo.Write("hogguard.yml", "webhooks: nope\n");

        var badConfig = Tool.Run(repo.Root, "check");
        var missingPath = Tool.Run(repo.Root, "check", "does-not-exist");
        var badProbe = Tool.Run(repo.Root, "check", "--config", "/nonexistent.yml");

        Assert.True(badConfig.ExitCode == 2 && badConfig.Stderr.Contains("hogguard.yml:1:", StringComparison.Ordinal), badConfig.ToString());
        Assert.True(missingPath.ExitCode == 2 && missingPath.Stderr.Contains("is not a folder", StringComparison.Ordinal), missingPath.ToString());
        Assert.True(badProbe.ExitCode == 2 && badProbe.Stderr.Contains("does not exist", StringComparison.Ordinal), badProbe.ToString());
    }
}
