using System.Diagnostics;
using System.Globalization;
using HogGuard.Cli.Tests.Infrastructure;

namespace HogGuard.Cli.Tests;

/// <summary>Ctrl-C (SIGINT) on a real process: one line saying what was left, exit 130.</summary>
public sealed class InterruptTests
{
    [Fact]
    public async Task AuditAppend_InterruptedWhileWaitingForInput_PrintsOneLineAndExits130()
    {
        using var folder = new GitRepo(init: false);
        using var child = Tool.Start("audit", "append", Path.Combine(folder.Root, "audit"));
        var stderr = child.StandardError.ReadToEndAsync();
        await child.StandardInput.WriteLineAsync("""{"action":"a","user_id":"u","resource":"r","result":"success"}""");
        await child.StandardInput.FlushAsync();

        // Once the first entry is acknowledged, the command waits for the next line: interrupt it there.
        var first = await child.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
        using (var signal = Process.Start("kill", ["-INT", child.Id.ToString(CultureInfo.InvariantCulture)])!)
        {
            await signal.WaitForExitAsync();
        }

        var exited = child.WaitForExit(TimeSpan.FromSeconds(20));
        if (!exited)
        {
            child.Kill(entireProcessTree: true);
        }

        var error = await stderr;
        Assert.True(exited, "hogguard did not stop after SIGINT");
        Assert.Equal("1", first);
        Assert.True(child.ExitCode == 130, $"exit {child.ExitCode}\n{error}");
        Assert.Equal(["hogguard: append interrupted; every sequence number printed is durable"], error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }
}
