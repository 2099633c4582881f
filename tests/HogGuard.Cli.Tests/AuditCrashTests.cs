using HogGuard.Audit;
using HogGuard.Cli.Tests.Infrastructure;

namespace HogGuard.Cli.Tests;

/// <summary>
/// A real child process (<c>hogguard audit append</c>) writes as fast as it can and is killed with
/// SIGKILL at random moments, again and again: every entry it acknowledged must be there, and the
/// chain must verify. Each kill lands while the child is writing (after its first acknowledgement of
/// the round, 0-150 ms later), so no round is spent killing a process that has not started.
/// </summary>
public sealed class AuditCrashTests
{
    [Fact]
    public async Task Append_KilledAtRandomMoments_LosesNoAcknowledgedEntry()
    {
        using var folder = new GitRepo(init: false);
        var dir = Path.Combine(folder.Root, "audit");
        var random = new Random(2026);
        long acknowledged = 0;
        var kills = 0;
        var midWrite = 0;
        const int Rounds = 75;
        for (var round = 0; round < Rounds; round++)
        {
            using var child = Tool.Start("audit", "append", dir, "--max-segment-bytes", "20000");
            var feeder = Task.Run(async () =>
            {
                try
                {
                    for (var i = 0; ; i++)
                    {
                        await child.StandardInput.WriteLineAsync($$"""{"action":"crash.test","user_id":"u","resource":"r{{round}}-{{i}}","result":"success"}""");
                    }
                }
                catch (IOException)
                {
                    // The child is gone.
                }
            });
            var writing = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var reader = Task.Run(async () =>
            {
                while (await child.StandardOutput.ReadLineAsync() is { } line)
                {
                    acknowledged = Math.Max(acknowledged, long.Parse(line, System.Globalization.CultureInfo.InvariantCulture));
                    writing.TrySetResult();
                }
            });
            if (await Task.WhenAny(writing.Task, Task.Delay(TimeSpan.FromSeconds(5))) == writing.Task)
            {
                midWrite++;
            }

            await Task.Delay(random.Next(0, 150));
            child.Kill();
            kills++;
            await child.WaitForExitAsync();
            await reader;
            await feeder;

            if (!Directory.Exists(dir))
            {
                // Killed before it even created the log: it cannot have acknowledged anything.
                Assert.Equal(0, acknowledged);
                continue;
            }

            var verification = AuditVerifier.Verify(dir);
            Assert.True(verification.IsIntact, $"round {round}: {verification.Detail}");
            Assert.True(verification.Entries >= acknowledged, $"round {round}: {acknowledged} acknowledged, {verification.Entries} present");
        }

        Assert.Equal(Rounds, kills);
        Assert.Equal(Rounds, midWrite);
        // Each round acknowledged at least one entry of its own before the kill (however fast this machine is).
        Assert.True(acknowledged >= Rounds, $"only {acknowledged} entries were acknowledged in {Rounds} rounds");
    }
}
