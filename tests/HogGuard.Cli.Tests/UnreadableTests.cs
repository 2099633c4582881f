using System.Diagnostics;
using HogGuard.Cli.Tests.Infrastructure;

namespace HogGuard.Cli.Tests;

/// <summary>
/// A file or folder the scan cannot read used to be skipped while the scan said "No PostHog secrets
/// found" and exited 0. Its content is unknown: exit 2 unless --skip-unreadable. As root (here and
/// in CI) permissions do not stop reads, so the tool runs as the user nobody.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class UnreadableTests
{
    private static (int ExitCode, string Stdout, string Stderr) RunAsOtherUser(string root, params string[] args)
    {
        var asRoot = Environment.UserName == "root";
        var info = new ProcessStartInfo(asRoot ? "runuser" : Tool.DotnetHost()) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = root };
        if (asRoot)
        {
            foreach (var word in new[] { "-u", "nobody", "--", Tool.DotnetHost() })
            {
                info.ArgumentList.Add(word);
            }
        }

        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "hogguard.dll"));
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["DOTNET_CLI_HOME"] = Path.GetTempPath();
        info.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(2)), "the scan did not finish");
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    [Fact]
    public void Scan_UnreadableFileAndFolder_Exit2_UnlessSkipUnreadable()
    {
        using var repo = new GitRepo(init: false);
        File.SetUnixFileMode(repo.Root, (UnixFileMode)0b111_101_101);
        repo.Write("ok.txt", "nothing here\n");
        repo.Write("secret.env", "nothing readable\n");
        repo.Write("locked/inner.txt", "nothing\n");
        File.SetUnixFileMode(Path.Combine(repo.Root, "ok.txt"), (UnixFileMode)0b110_100_100);
        File.SetUnixFileMode(Path.Combine(repo.Root, "secret.env"), UnixFileMode.None);
        File.SetUnixFileMode(Path.Combine(repo.Root, "locked"), UnixFileMode.None);

        var strict = RunAsOtherUser(repo.Root, "scan", ".", "--no-git");
        var lenient = RunAsOtherUser(repo.Root, "scan", ".", "--no-git", "--skip-unreadable");

        Assert.True(strict.ExitCode == 2, $"{strict.ExitCode}\n{strict.Stdout}\n{strict.Stderr}");
        Assert.Contains("could not read secret.env", strict.Stderr, StringComparison.Ordinal);
        Assert.Contains("could not read the folder locked", strict.Stderr, StringComparison.Ordinal);
        Assert.Contains("2 file(s) or folder(s) could not be read", strict.Stderr, StringComparison.Ordinal);
        Assert.True(lenient.ExitCode == 0, $"{lenient.ExitCode}\n{lenient.Stdout}\n{lenient.Stderr}");
        Assert.Contains("could not read secret.env", lenient.Stderr, StringComparison.Ordinal);
    }
}
