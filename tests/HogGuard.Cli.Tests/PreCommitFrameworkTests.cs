using HogGuard.Testing;
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
            Tool.WriteOnPath(bin);
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

    private static readonly Lazy<string?> Installed = new(InstallPreCommit);

    /// <summary>
    /// pre-commit from Debian's package, installed on first use when missing (as the SARIF tests
    /// install the multitool), so the README's test command sets up what it needs; null when it is there.
    /// </summary>
    private static string? InstallPreCommit()
    {
        if (Has())
        {
            return null;
        }

        string[] aptGet = Environment.UserName == "root" ? ["apt-get"] : ["sudo", "-n", "apt-get"];
        var update = ProcessRunner.Run(aptGet[0], [.. aptGet[1..], "update", "-qq"]);
        var install = ProcessRunner.Run(aptGet[0], [.. aptGet[1..], "install", "-y", "-qq", "pre-commit"]);
        return Has() ? null : $"pre-commit is missing and apt-get could not install it:\n{update.Output}\n{install.Output}";

        static bool Has()
        {
            try
            {
                return ProcessRunner.Run("pre-commit", ["--version"]).Code == 0;
            }
            catch (InvalidOperationException)
            {
                return false;
            }
        }
    }

    private (int Code, string Output) PreCommit(string workingDirectory, string? path, params string[] args)
    {
        Assert.True(Installed.Value is null, Installed.Value);
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
