using System.Diagnostics;
using System.Text;
using HogGuard.Cli.Tests.Infrastructure;

namespace HogGuard.Cli.Tests;

/// <summary>
/// This repository's <c>.pre-commit-hooks.yaml</c> under the real pre-commit framework (Debian's
/// <c>pre-commit</c> package; <c>.ci/run</c> installs it): <c>pre-commit try-repo</c> builds and
/// installs the tool as pre-commit's <c>language: dotnet</c> does, then blocks a commit that adds a
/// <c>phs_</c> key and lets a clean one through.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class PreCommitFrameworkTests : IDisposable
{
    private readonly string _home = Directory.CreateTempSubdirectory("hogguard-pre-commit-home-").FullName;

    public void Dispose() => Directory.Delete(_home, recursive: true);

    [Fact]
    public void DotnetHook_InstalledByPreCommit_BlocksASecretAndPassesACleanCommit()
    {
        using var repo = new GitRepo();
        repo.Write("readme.txt", "hello\n");
        repo.Git("add", "readme.txt");

        var clean = PreCommit(repo.Root, null, "try-repo", RepositoryRoot(), "hogguard", "--verbose");

        var token = Tokens.New("phs_");
        repo.Write("config/app.env.example", "POSTHOG_SECRET_KEY=" + token + "\n");
        repo.Git("add", "config/app.env.example");
        var blocked = PreCommit(repo.Root, null, "try-repo", RepositoryRoot(), "hogguard", "--verbose");

        Assert.True(clean.Code == 0, clean.Output);
        Assert.Contains("Passed", clean.Output, StringComparison.Ordinal);
        Assert.Equal(1, blocked.Code);
        Assert.Contains("Failed", blocked.Output, StringComparison.Ordinal);
        Assert.Contains($"{token[..4]}...{token[^4..]}", blocked.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(token, blocked.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void SystemHook_UsesTheHogguardOnPath_AndHonoursTheBaselineInHogguardYml()
    {
        var bin = Directory.CreateTempSubdirectory("hogguard-bin-").FullName;
        try
        {
            var wrapper = Path.Combine(bin, "hogguard");
            File.WriteAllText(wrapper, $"#!/bin/sh\nexec '{Tool.DotnetHost()}' '{Path.Combine(AppContext.BaseDirectory, "hogguard.dll")}' \"$@\"\n");
            File.SetUnixFileMode(wrapper, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            using var repo = new GitRepo();
            var known = Tokens.New("phx_");
            repo.Write("legacy.txt", known);
            repo.Commit("an old leak, already revoked");
            Assert.Equal(0, Tool.Run(repo.Root, "scan", ".", "--write-baseline", ".hogguard-baseline.json").ExitCode);
            repo.Write("hogguard.yml", "scan:\n  baseline: .hogguard-baseline.json\n");
            repo.Write("copy.txt", known);
            repo.Git("add", "-A");
            var path = bin + ":" + Environment.GetEnvironmentVariable("PATH");

            var passed = PreCommit(repo.Root, path, "try-repo", RepositoryRoot(), "hogguard-system", "--verbose");
            repo.Write("new.txt", Tokens.New("phs_"));
            repo.Git("add", "new.txt");
            var blocked = PreCommit(repo.Root, path, "try-repo", RepositoryRoot(), "hogguard-system", "--verbose");

            Assert.True(passed.Code == 0, passed.Output);
            Assert.Contains("hidden by the baseline", passed.Output, StringComparison.Ordinal);
            Assert.Equal(1, blocked.Code);
            Assert.Contains("posthog-project-secret-api-key", blocked.Output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(bin, recursive: true);
        }
    }

    private static string RepositoryRoot()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, ".pre-commit-hooks.yaml")))
        {
            folder = folder.Parent;
        }

        return folder?.FullName ?? throw new InvalidOperationException("not inside the repository");
    }

    private (int Code, string Output) PreCommit(string workingDirectory, string? path, params string[] args)
    {
        var info = new ProcessStartInfo("pre-commit") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["PRE_COMMIT_HOME"] = _home;
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        if (path is not null)
        {
            info.Environment["PATH"] = path;
        }

        Process process;
        try
        {
            process = Process.Start(info)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("pre-commit is not installed: apt-get install pre-commit (.ci/run does)", e);
        }

        using (process)
        {
            process.StandardInput.Close();
            var output = new StringBuilder();
            process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
            process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException("pre-commit did not finish:\n" + output);
            }

            process.WaitForExit();
            lock (output)
            {
                var result = (process.ExitCode, output.ToString());
                Tool.AssertNoTokenLeaked(new ToolResult(result.ExitCode, result.Item2, string.Empty));
                return result;
            }
        }
    }
}
