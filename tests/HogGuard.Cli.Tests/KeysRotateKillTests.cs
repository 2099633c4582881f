using System.Net;
using HogGuard.Cli.Tests.Infrastructure;

namespace HogGuard.Cli.Tests;

/// <summary><c>hogguard keys rotate</c> end to end against the emulator over loopback: a process killed at every step, then resumed: the store always held a working key.</summary>
public sealed class KeysRotateKillTests : KeysRotateTestBase
{
    [Theory]
    [MemberData(nameof(KillPoints))]
    public async Task Rotate_KilledAtAStep_ThenResumed_EndsDone_AndTheStoreAlwaysHeldAWorkingKey(string kind, string step)
    {
        await using var s = await StartAsync("phs", maxSecretKeys: kind == "roll" ? 1 : 10);

        var killed = s.RotateWith(null, new() { ["HOGGUARD_FAULT_AT"] = step });

        Assert.True(killed.ExitCode != 0 && killed.Stderr.Contains($"HOGGUARD_FAULT_AT={step}", StringComparison.Ordinal), killed.ToString());
        Tokens.Remember(s.Current());
        Tokens.Remember(s.Slot("POSTHOG_SECRET_NEXT"));
        await s.AssertWorksAsync(s.Current(), $"killed at {step}");
        var id = Assert.Single(s.Journals());
        var listed = Tool.Run(s.Repo.Root, "keys", "rotations");
        Assert.Contains($"{id}  production/secret  {step}", listed.Stdout, StringComparison.Ordinal);

        var resumed = s.Rotate("--resume", id);

        Assert.True(resumed.ExitCode == 0, $"killed at {step}; resume: {resumed}");
        var fresh = s.Current();
        Tokens.Remember(fresh);
        Assert.NotEqual(s.Old, fresh);
        await s.AssertWorksAsync(fresh, $"resumed after {step}");
        Assert.Equal(HttpStatusCode.Unauthorized, await s.StatusOfAsync(s.Old));
        Assert.Empty(s.Slot("POSTHOG_SECRET_NEXT"));
        Assert.Empty(s.Slot("POSTHOG_SECRET_PREVIOUS"));
        Assert.Single(await s.SecretKeysAsync());
        Tool.AssertNoTokenLeaked(killed);
        Tool.AssertNoTokenLeaked(resumed);
    }

    [Theory]
    [InlineData("phs", "created")]
    [InlineData("roll", "rolled")]
    public async Task Rotate_KilledAfterPostHogAnsweredButBeforeTheStoreWrite_ResumeRepairsAndLeavesNoOrphan(string kind, string point)
    {
        await using var s = await StartAsync("phs", maxSecretKeys: kind == "roll" ? 1 : 10);

        var killed = s.RotateWith(null, new() { ["HOGGUARD_FAULT_AT"] = point });

        Assert.True(killed.ExitCode != 0 && killed.Stderr.Contains($"HOGGUARD_FAULT_AT={point}", StringComparison.Ordinal), killed.ToString());
        Assert.Equal(s.Old, s.Current());
        Assert.Empty(s.Slot("POSTHOG_SECRET_NEXT"));
        if (kind == "phs")
        {
            // The key PostHog made is not in the store: its value is lost, so resume must delete it.
            Assert.Equal(2, (await s.SecretKeysAsync()).Count);
            await s.AssertWorksAsync(s.Old, "killed after create");
        }

        var resumed = s.Rotate("--resume", Assert.Single(s.Journals()));

        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        var fresh = s.Current();
        Tokens.Remember(fresh);
        await s.AssertWorksAsync(fresh, $"resumed after {point}");
        Assert.Equal(HttpStatusCode.Unauthorized, await s.StatusOfAsync(s.Old));
        Assert.Single(await s.SecretKeysAsync());
        Tool.AssertNoTokenLeaked(resumed);
    }
}
