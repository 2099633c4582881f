using System.Net;
using HogGuard.Cli.Tests.Infrastructure;

namespace HogGuard.Cli.Tests;

/// <summary><c>hogguard keys rotate</c> end to end against the emulator over loopback: the legacy secret token, guided, and a rotator that is not an admin.</summary>
public sealed class KeysRotateLegacyTokenTests : KeysRotateTestBase
{
    [Fact]
    public async Task Rotate_LegacySecretToken_IsGuided_NewTokenOnStdin_WaitsForTheBackupDeletion_ThenResumes()
    {
        // PostHog refuses rotate_secret_token to every personal API key (posthog/permissions.py), so
        // a person rotates it in the project settings and HogGuard takes the new token from stdin.
        await using var s = await StartAsync("legacy");
        var fresh = await s.PersonRotatesTokenAsync();

        var first = s.RotateWith(fresh + "\n", null);

        Assert.True(first.ExitCode == 1, first.ToString());
        Assert.Contains("Project settings for project 1", first.Stderr, StringComparison.Ordinal);
        Assert.Contains("Delete backup", first.Stderr, StringComparison.Ordinal);
        Assert.Equal(fresh, s.Current());
        Assert.Equal(s.Old, s.Slot("POSTHOG_SECRET_PREVIOUS"));
        await s.AssertWorksAsync(s.Old, "the backup works until the person deletes it");

        await s.PersonDeletesBackupAsync();
        var resumed = s.Rotate("--resume", Assert.Single(s.Journals()));

        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        Assert.Equal(fresh, s.Current());
        Assert.Equal(HttpStatusCode.Unauthorized, await s.StatusOfAsync(s.Old));
        Assert.Empty(s.Slot("POSTHOG_SECRET_PREVIOUS"));
        Tool.AssertNoTokenLeaked(first);
        Tool.AssertNoTokenLeaked(resumed);
    }

    [Fact]
    public async Task Rotate_LegacySecretToken_WithWait_PollsUntilThePersonDeletesTheBackup()
    {
        await using var s = await StartAsync("legacy");
        var fresh = await s.PersonRotatesTokenAsync();
        var deleter = Task.Run(async () =>
        {
            // The person deletes the backup once HogGuard has the new token in the store.
            for (var i = 0; i < 300 && s.Current() != fresh; i++)
            {
                await Task.Delay(100);
            }

            await Task.Delay(1500);
            await s.PersonDeletesBackupAsync();
        });

        var result = s.RotateWith(fresh + "\n", null, "--wait", "--poll-interval", "1", "--wait-timeout", "60");
        await deleter;

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(fresh, s.Current());
        Assert.Equal(HttpStatusCode.Unauthorized, await s.StatusOfAsync(s.Old));
        Tool.AssertNoTokenLeaked(result);
    }

    [Theory]
    [InlineData("", "no token was entered")]
    [InlineData("not-a-token", "is not a phs_ token")]
    [InlineData("OLD", "that is the old token")]
    [InlineData("UNKNOWN", "does not accept the pasted token")]
    public async Task Rotate_LegacySecretToken_BadPaste_StopsAndKeepsTheOldTokenCurrent(string paste, string expected)
    {
        await using var s = await StartAsync("legacy");
        var input = paste switch { "OLD" => s.Old, "UNKNOWN" => Tokens.New("phs_"), _ => paste };

        var result = s.RotateWith(input + "\n", null);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains(expected, result.Stderr, StringComparison.Ordinal);
        Assert.Equal(s.Old, s.Current());
        Assert.Empty(s.Slot("POSTHOG_SECRET_NEXT"));
        Tool.AssertNoTokenLeaked(result);
    }

    [Theory]
    [InlineData("requested")]
    [InlineData("obtained")]
    [InlineData("promoted")]
    public async Task Rotate_LegacySecretToken_KilledAtAStep_ResumesToDone(string step)
    {
        await using var s = await StartAsync("legacy");
        var fresh = await s.PersonRotatesTokenAsync();

        var killed = s.RotateWith(fresh + "\n", new() { ["HOGGUARD_FAULT_AT"] = step });

        Assert.True(killed.ExitCode != 0 && killed.Stderr.Contains($"HOGGUARD_FAULT_AT={step}", StringComparison.Ordinal), killed.ToString());
        await s.AssertWorksAsync(s.Current(), $"killed at {step}");
        await s.PersonDeletesBackupAsync();
        var resumed = s.RotateWith(fresh + "\n", null, "--resume", Assert.Single(s.Journals()));

        Assert.True(resumed.ExitCode == 0, $"killed at {step}; resume: {resumed}");
        Assert.Equal(fresh, s.Current());
        Assert.Equal(HttpStatusCode.Unauthorized, await s.StatusOfAsync(s.Old));
        Assert.Empty(s.Slot("POSTHOG_SECRET_NEXT"));
        Assert.Empty(s.Slot("POSTHOG_SECRET_PREVIOUS"));
        Tool.AssertNoTokenLeaked(killed);
        Tool.AssertNoTokenLeaked(resumed);
    }

    [Fact]
    public async Task Rotate_RotatorOfANonAdminMember_Exits2WithPostHogsWords_AndTheOldKeyStays()
    {
        // posthog/permissions.py: TeamMemberStrictManagementPermission lets members read, admins change.
        await using var s = await StartAsync("phs", level: "member");

        var result = s.Rotate();

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("You don't have sufficient permissions in the project.", result.Stderr, StringComparison.Ordinal);
        Assert.Equal(s.Old, s.Current());
        Assert.Empty(s.Slot("POSTHOG_SECRET_NEXT"));
        Assert.Single(await s.SecretKeysAsync());
    }
}
