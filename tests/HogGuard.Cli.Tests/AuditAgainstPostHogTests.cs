using HogGuard.Cli.Tests.Infrastructure;
using HogGuard.Testing;

namespace HogGuard.Cli.Tests;

/// <summary><c>audit verify --against-posthog</c>: the local log checked against the copy shipped to PostHog (the emulator), each difference by sequence.</summary>
public sealed class AuditAgainstPostHogTests
{
    private static string Entries(int from, int to) =>
        string.Concat(Enumerable.Range(from, to - from + 1).Select(i => $"{{\"action\":\"key.rotated\",\"user_id\":\"ops\",\"resource\":\"key/{i}\",\"result\":\"success\"}}\n"));

    [Fact]
    public async Task Verify_SaysMatchesPostHog_ThenNamesADeletedAnEditedAndANeverReceivedEntry()
    {
        var projectToken = Tokens.New("phc_");
        var reader = Tokens.New("phx_");
        var writerOnly = Tokens.New("phx_");
        await using var emulator = await EmulatorHost.StartAsync(new
        {
            projects = new object[] { new { id = 1, name = "p", api_token = projectToken } },
            users = new object[]
            {
                new
                {
                    email = "ops@example.com",
                    personal_api_keys = new object[]
                    {
                        new { label = "audit-reader", value = reader, scopes = new[] { "query:read" } },
                        new { label = "writer", value = writerOnly, scopes = new[] { "feature_flag:write" } },
                    },
                },
            },
        });
        using var folder = new GitRepo(init: false);
        var dir = Path.Combine(folder.Root, "audit");
        folder.Write("hogguard.yml", $"audit:\n  host: {emulator.Address}\n  project_token: {projectToken}\n  project_id: 1\n  query_key: env:AUDIT_QUERY_KEY\n");
        var withKey = new Dictionary<string, string> { ["AUDIT_QUERY_KEY"] = reader };
        Assert.Equal(0, Tool.RunWithInput(folder.Root, Entries(1, 6), "audit", "append", dir).ExitCode);
        var ship = Tool.Run(folder.Root, "audit", "ship", dir);
        Assert.True(ship.ExitCode == 0, ship.ToString());

        var clean = Tool.RunWithEnvironment(folder.Root, null, withKey, "audit", "verify", dir, "--against-posthog");

        Assert.True(clean.ExitCode == 0, clean.ToString());
        Assert.Contains("ok: 6 entries", clean.Stdout, StringComparison.Ordinal);
        Assert.Contains("matches PostHog: 6 entries in PostHog, each as written here; 6 entries here, shipped up to sequence 6", clean.Stdout, StringComparison.Ordinal);

        // Entry 7 is written and the cursor moved past it as if PostHog had confirmed it; entry 3 is
        // edited in place; entry 6 is cut from the log.
        Assert.Equal(0, Tool.RunWithInput(folder.Root, Entries(7, 7), "audit", "append", dir).ExitCode);
        File.WriteAllText(Path.Combine(dir, "ship.cursor"), "7\n");
        var segment = Directory.GetFiles(dir, "audit-*.jsonl").Single();
        var lines = File.ReadAllLines(segment).ToList();
        lines[2] = lines[2].Replace("\"key/3\"", "\"key/33\"", StringComparison.Ordinal);
        lines.RemoveAt(5);
        File.WriteAllLines(segment, lines);

        var tampered = Tool.RunWithEnvironment(folder.Root, null, withKey, "audit", "verify", dir, "--against-posthog");

        Assert.True(tampered.ExitCode == 1, tampered.ToString());
        Assert.Contains("deleted here: sequence 6:", tampered.Stdout, StringComparison.Ordinal);
        Assert.Contains("edited here: sequence 3:", tampered.Stdout, StringComparison.Ordinal);
        Assert.Contains("never received: sequence 7:", tampered.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("matches PostHog", tampered.Stdout, StringComparison.Ordinal);

        var noKey = Tool.Run(folder.Root, "audit", "verify", dir, "--against-posthog");
        Assert.Equal(2, noKey.ExitCode);
        Assert.Contains("query key cannot be read from env:AUDIT_QUERY_KEY", noKey.Stderr, StringComparison.Ordinal);

        var wrongScope = Tool.RunWithEnvironment(folder.Root, null, new() { ["AUDIT_QUERY_KEY"] = writerOnly }, "audit", "verify", dir, "--against-posthog");
        Assert.Equal(2, wrongScope.ExitCode);
        Assert.Contains("lacks query:read", wrongScope.Stderr, StringComparison.Ordinal);
        Tool.AssertNoTokenLeaked(wrongScope);

        var usage = Tool.Run(folder.Root, "audit", "verify", dir, "--project", "1");
        Assert.Equal(2, usage.ExitCode);
        Assert.Contains("--host, --project and --event are for --against-posthog", usage.Stderr, StringComparison.Ordinal);
    }
}
