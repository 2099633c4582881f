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

        var clean = PreCommit(repo.Root, null, "try-repo", ProcessRunner.RepositoryRoot, "hogguard", "--verbose");

        var token = Tokens.New("phs_");
        repo.Write("config/app.env.example", "POSTHOG_SECRET_KEY=" + token + "\n");
        repo.Git("add", "config/app.env.example");
        var blocked = PreCommit(repo.Root, null, "try-repo", ProcessRunner.RepositoryRoot, "hogguard", "--verbose");

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

            var passed = PreCommit(repo.Root, path, "try-repo", ProcessRunner.RepositoryRoot, "hogguard-system", "--verbose");
            repo.Write("new.txt", Tokens.New("phs_"));
            repo.Git("add", "new.txt");
            var blocked = PreCommit(repo.Root, path, "try-repo", ProcessRunner.RepositoryRoot, "hogguard-system", "--verbose");

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

    private (int Code, string Output) PreCommit(string workingDirectory, string? path, params string[] args)
    {
        var environment = new Dictionary<string, string> { ["PRE_COMMIT_HOME"] = _home };
        if (path is not null)
        {
            environment["PATH"] = path;
        }

        var result = ProcessRunner.Run("pre-commit", args, workingDirectory, environment);
        Tool.AssertNoTokenLeaked(new ToolResult(result.Code, result.Output, string.Empty));
        return result;
    }
}
