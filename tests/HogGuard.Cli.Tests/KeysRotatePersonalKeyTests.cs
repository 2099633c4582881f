using System.Net;
using HogGuard.Cli.Tests.Infrastructure;

namespace HogGuard.Cli.Tests;

/// <summary><c>hogguard keys rotate</c> end to end against the emulator over loopback: personal keys (guided) and keys in environment variables (handed to the deployer).</summary>
public sealed class KeysRotatePersonalKeyTests : KeysRotateTestBase
{
    [Fact]
    public async Task Rotate_PersonalKey_GuidesAPerson_KeyFromStdin_ThenWaitsForTheOldKeyToBeDeleted()
    {
        var (s, oldId) = await StartPersonalAsync();
        await using var _ = s;
        var fresh = await CreatePersonalKeyAsync(s.Emulator, ["query:read", "insight:read"]);

        var first = s.Run("keys", "rotate", "--env", "production", "--key", "reader", "--host", s.Emulator.Address).WithInput(fresh + "\n");

        Assert.True(first.ExitCode == 1, first.ToString());
        Assert.Contains("with exactly these scopes: query:read, insight:read, limited to project(s) 1", first.Stderr, StringComparison.Ordinal);
        Assert.Contains("delete the old key", first.Stderr, StringComparison.Ordinal);
        Assert.Equal(fresh, s.Slot("POSTHOG_READER"));
        Assert.Equal(s.Old, s.Slot("POSTHOG_READER_PREVIOUS"));
        var id = Assert.Single(s.Journals());

        await AsPersonAsync(s.Emulator, HttpMethod.Delete, $"/api/personal_api_keys/{oldId}/");
        var resumed = s.Run("keys", "rotate", "--resume", id, "--host", s.Emulator.Address).WithInput(string.Empty);

        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        Assert.Equal($"POSTHOG_READER={fresh}\n", File.ReadAllText(s.DotenvPath));
        Tool.AssertNoTokenLeaked(first);
        Tool.AssertNoTokenLeaked(resumed);
    }

    [Fact]
    public async Task Rotate_PersonalKey_WithWait_PollsUntilThePersonDeletesTheOldKey()
    {
        var (s, oldId) = await StartPersonalAsync();
        await using var _ = s;
        var fresh = await CreatePersonalKeyAsync(s.Emulator, ["insight:read", "query:read"]);

        var run = Task.Run(() => s.Run("keys", "rotate", "--env", "production", "--key", "reader", "--host", s.Emulator.Address, "--wait", "--poll-interval", "1").WithInput(fresh + "\n"));
        while (s.Slot("POSTHOG_READER_PREVIOUS").Length == 0 && !run.IsCompleted)
        {
            await Task.Delay(100);
        }

        await AsPersonAsync(s.Emulator, HttpMethod.Delete, $"/api/personal_api_keys/{oldId}/");
        var result = await run;

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal($"POSTHOG_READER={fresh}\n", File.ReadAllText(s.DotenvPath));
    }

    [Fact]
    public async Task Rotate_PersonalKey_WithOtherScopes_IsRefused_AndTheOldKeyStaysCurrent()
    {
        var (s, _) = await StartPersonalAsync();
        await using var __ = s;
        var wrong = await CreatePersonalKeyAsync(s.Emulator, ["insight:read", "insight:write", "query:read"]);

        var result = s.Run("keys", "rotate", "--env", "production", "--key", "reader", "--host", s.Emulator.Address).WithInput(wrong + "\n");

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("the new key has scopes [insight:read, insight:write, query:read] but the policy needs exactly [insight:read, query:read]", result.Stderr, StringComparison.Ordinal);
        Assert.Equal($"POSTHOG_READER={s.Old}\n", File.ReadAllText(s.DotenvPath));
        Tool.AssertNoTokenLeaked(result);
    }

    [Fact]
    public async Task Rotate_KeyInAnEnvironmentVariable_HandsTheNewKeyToTheDeployer_AndWaitsForConfirmation()
    {
        await using var s = await StartAsync("phs");
        s.Repo.Write("hogguard.yml", """
            environments:
              production:
                keys:
                  - { name: secret, source: "env:POSTHOG_SECRET", purpose: flags }
            rotation:
              rotator: env:POSTHOG_ROTATOR
            """);
        var environment = new Dictionary<string, string> { ["POSTHOG_SECRET"] = s.Old };

        var unconfirmed = s.RotateWith(string.Empty, environment);

        Assert.True(unconfirmed.ExitCode == 1, unconfirmed.ToString());
        var id = Assert.Single(s.Journals());
        var handoff = Path.Combine(s.Repo.Root, ".hogguard", "rotations", id + ".key");
        Assert.Contains(handoff, unconfirmed.Stderr, StringComparison.Ordinal);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(handoff));
        }

        var fresh = File.ReadAllText(handoff).Trim();
        Tokens.Remember(fresh);
        await s.AssertWorksAsync(fresh, "the handed-off key");
        await s.AssertWorksAsync(s.Old, "the deployed key before confirmation");
        Assert.Equal("*\n", File.ReadAllText(Path.Combine(s.Repo.Root, ".hogguard", ".gitignore")));

        var confirmed = s.RotateWith(null, environment, "--resume", id, "--yes");

        Assert.True(confirmed.ExitCode == 0, confirmed.ToString());
        Assert.False(File.Exists(handoff));
        Assert.Equal(HttpStatusCode.Unauthorized, await s.StatusOfAsync(s.Old));
        await s.AssertWorksAsync(fresh, "after the rotation");
        Tool.AssertNoTokenLeaked(unconfirmed);
        Tool.AssertNoTokenLeaked(confirmed);
    }
}
