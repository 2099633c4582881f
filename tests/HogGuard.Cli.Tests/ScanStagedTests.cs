using HogGuard.Cli.Tests.Infrastructure;
using HogGuard.Testing;

namespace HogGuard.Cli.Tests;

public sealed class ScanStagedTests
{
    [Fact]
    public void Staged_AddedSecret_Exits1AtItsLineInTheStagedFile()
    {
        using var repo = new GitRepo();
        repo.Write("app.py", "a = 1\nb = 2\nc = 3\n");
        repo.Commit("base");
        var token = Tokens.New("phs_");
        repo.Write("app.py", $"a = 1\nb = 2\nkey = \"{token}\"\nc = 3\n");
        repo.Git("add", "app.py");

        var result = Tool.Run(repo.Root, "scan", "--staged", "--format", "json");

        Assert.Equal(1, result.ExitCode);
        var location = Assert.Single(Report.Parse(result).ByFingerprint(TestTokens.Sha256Prefix(token)).GetProperty("locations").EnumerateArray());
        Assert.Equal("app.py", location.GetProperty("path").GetString());
        Assert.Equal(3, location.GetProperty("line").GetInt32());
    }

    [Fact]
    public void Staged_SecretOnlyInTheWorkTreeOrAlreadyCommitted_IsNotReported()
    {
        using var repo = new GitRepo();
        repo.Write("old.py", $"k = \"{Tokens.New("phx_")}\"\n");
        repo.Commit("an old leak (the history scan's business)");
        repo.Write("old.py", $"k = \"{File.ReadAllText(Path.Combine(repo.Root, "old.py"))[5..^2]}\"\nx = 1\n");
        repo.Git("add", "old.py");
        repo.Write("unstaged.py", $"k = \"{Tokens.New("phs_")}\"\n");

        var result = Tool.Run(repo.Root, "scan", "--staged", "--format", "json");

        Assert.Equal(0, result.ExitCode);
        Assert.Empty(Report.Parse(result).Findings);
    }

    [Fact]
    public void Staged_NewEnvFile_IsReported()
    {
        using var repo = new GitRepo();
        repo.Write("README.md", "x\n");
        repo.Commit("base");
        repo.Write(".env", "DEBUG=1\n");
        repo.Git("add", "-f", ".env");

        var result = Tool.Run(repo.Root, "scan", "--staged", "--format", "json");
        var atMedium = Tool.Run(repo.Root, "scan", "--staged", "--fail-on", "medium");

        // It holds no PostHog secret, so it is reported at medium: below the default gate, caught by --fail-on medium.
        Assert.Equal(0, result.ExitCode);
        var finding = Report.Parse(result).Single("env-file-committed");
        Assert.Equal("medium", finding.GetProperty("severity").GetString());
        Assert.Equal("holds no PostHog secret", finding.GetProperty("detail").GetString());
        Assert.Equal(1, atMedium.ExitCode);
    }

    [Fact]
    public void Staged_FirstCommitOfANewRepository_IsScanned()
    {
        using var repo = new GitRepo();
        repo.Write("a.txt", Tokens.New("pha_") + "\n");
        repo.Git("add", "a.txt");

        Assert.Equal(1, Tool.Run(repo.Root, "scan", "--staged").ExitCode);
    }

    [Fact]
    public void Staged_FileWithANonUtf8Name_IsScanned()
    {
        using var repo = new GitRepo();
        var key = Tokens.New("phx_");
        using (var make = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("sh", ["-c", $"printf 'POSTHOG_KEY={key}\\n' > \"$(printf 'caf\\351.env')\" && git add -A"]) { WorkingDirectory = repo.Root })!)
        {
            make.WaitForExit();
            Assert.Equal(0, make.ExitCode);
        }

        var result = Tool.Run(repo.Root, "scan", ".", "--staged", "--format", "json");

        Assert.True(result.ExitCode == 1, result.ToString());
        Report.Parse(result).ByFingerprint(HogGuard.Testing.TestTokens.Sha256Prefix(key));
    }
}
