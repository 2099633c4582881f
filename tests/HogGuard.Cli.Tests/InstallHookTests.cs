using HogGuard.Cli.Tests.Infrastructure;

namespace HogGuard.Cli.Tests;

public sealed class InstallHookTests
{
    [Fact]
    public void InstallHook_ThenCommitASecret_CommitIsRefused()
    {
        using var repo = new GitRepo();
        repo.Write("README.md", "x\n");
        repo.Commit("base");

        var install = Tool.Run(repo.Root, "install-hook");
        Assert.Equal(0, install.ExitCode);

        repo.Write("leak.txt", $"key={Tokens.New("phx_")}\n");
        repo.Git("add", "leak.txt");
        var (code, _, error) = GitRepo.RunGit(repo.Root, null, "commit", "-q", "-m", "leak");
        Assert.NotEqual(0, code);
        Tool.AssertNoTokenLeaked(new ToolResult(code, string.Empty, error));

        repo.Write("leak.txt", "key=from-the-environment\n");
        repo.Git("add", "leak.txt");
        var (cleanCode, _, cleanError) = GitRepo.RunGit(repo.Root, null, "commit", "-q", "-m", "clean");
        Assert.True(cleanCode == 0, cleanError);
    }

    [Fact]
    public void InstallHook_ExistingHook_IsKeptWithoutForceAndBackedUpWithIt()
    {
        using var repo = new GitRepo();
        var hook = Path.Combine(repo.Root, ".git", "hooks", "pre-commit");
        Directory.CreateDirectory(Path.GetDirectoryName(hook)!);
        File.WriteAllText(hook, "#!/bin/sh\necho mine\n");

        var refused = Tool.Run(repo.Root, "install-hook");
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("--force", refused.Stderr, StringComparison.Ordinal);
        Assert.Equal("#!/bin/sh\necho mine\n", File.ReadAllText(hook));

        var forced = Tool.Run(repo.Root, "install-hook", "--force");
        Assert.Equal(0, forced.ExitCode);
        Assert.Contains("scan --staged", File.ReadAllText(hook), StringComparison.Ordinal);
        Assert.Equal("#!/bin/sh\necho mine\n", File.ReadAllText(hook + ".hogguard-backup"));

        // Forced again: the saved original is never overwritten with HogGuard's own hook.
        var again = Tool.Run(repo.Root, "install-hook", "--force");
        File.WriteAllText(hook, "#!/bin/sh\necho another\n");
        var third = Tool.Run(repo.Root, "install-hook", "--force");

        Assert.Equal((0, 0), (again.ExitCode, third.ExitCode));
        Assert.Equal("#!/bin/sh\necho mine\n", File.ReadAllText(hook + ".hogguard-backup"));
        Assert.Equal("#!/bin/sh\necho another\n", File.ReadAllText(hook + ".hogguard-backup.1"));
        Assert.False(File.Exists(hook + ".hogguard-backup.2"));
    }

    [Fact]
    public void InstallHook_OutsideARepository_Exits2()
    {
        using var folder = new GitRepo(init: false);

        var result = Tool.Run(folder.Root, "install-hook");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("not inside a git work tree", result.Stderr, StringComparison.Ordinal);
    }
}
