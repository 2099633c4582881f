using HogGuard.Cli.Tests.Infrastructure;
using HogGuard.Testing;

namespace HogGuard.Cli.Tests;

/// <summary>
/// The history listing is one <c>git log --raw</c> pass: every blob a commit writes, including what
/// only a merge brings, blobs reached through a tag to a tree, SHA-256 repositories, and a damaged
/// repository (rev-list takes over with a warning).
/// </summary>
public sealed class HistoryListingTests
{
    private static System.Text.Json.JsonElement Location(ToolResult result, string token) =>
        Assert.Single(Report.Parse(result).ByFingerprint(TestTokens.Sha256Prefix(token)).GetProperty("locations").EnumerateArray());

    [Fact]
    public void SecretOnlyAMergeWrites_IsFoundAtTheMerge()
    {
        using var repo = new GitRepo();
        repo.Write("a.txt", "base\n");
        repo.Commit("base");
        repo.Git("checkout", "-q", "-b", "side");
        repo.Write("b.txt", "side\n");
        repo.Commit("side");
        repo.Git("checkout", "-q", "-");
        repo.Write("c.txt", "main\n");
        repo.Commit("main");
        repo.Git("merge", "-q", "--no-commit", "--no-ff", "side");
        var token = Tokens.New("phx_");
        repo.Write("merge-only.env", $"POSTHOG_PERSONAL_API_KEY={token}\n");
        repo.Git("add", "merge-only.env");
        var merge = repo.Commit("merge with a secret of its own");

        var result = Tool.Run(repo.Root, "scan", "--history", "-f", "json");

        var location = Location(result, token);
        Assert.Equal("merge-only.env", location.GetProperty("path").GetString());
        Assert.Equal(merge, location.GetProperty("commit").GetString());
    }

    [Fact]
    public void SecretReachedOnlyThroughATagToATree_IsFound()
    {
        using var repo = new GitRepo();
        repo.Write("a.txt", "one\n");
        repo.Commit("one");
        var token = Tokens.New("phs_");
        var blob = repo.GitWithInput($"key={token}\n", "hash-object", "-w", "--stdin").Trim();
        var tree = repo.GitWithInput($"100644 blob {blob}\tsecret.txt\n", "mktree").Trim();
        repo.Git("tag", "tree-tag", tree);

        var result = Tool.Run(repo.Root, "scan", "--history", "-f", "json");

        Assert.Equal("secret.txt", Location(result, token).GetProperty("path").GetString());
    }

    [Fact]
    public void Sha256Repository_IsScannedAndPlaced()
    {
        using var folder = new GitRepo(init: false);
        var root = Path.Combine(folder.Root, "sha256");
        var (code, _, error) = GitRepo.RunGit(folder.Root, null, "init", "-q", "--object-format=sha256", root);
        Assert.True(code == 0, error);
        var token = Tokens.New("phx_");
        File.WriteAllText(Path.Combine(root, "settings.py"), $"KEY = \"{token}\"\n");
        GitRepo.RunGit(root, null, "add", ".");
        (code, _, error) = GitRepo.RunGit(root, null, "-c", "user.name=Test Author", "-c", "user.email=t@example.com", "commit", "-qm", "add");
        Assert.True(code == 0, error);
        var commit = GitRepo.RunGit(root, null, "rev-parse", "HEAD").Output.Trim();

        var result = Tool.Run(root, "scan", "--history", "-f", "json");

        Assert.Equal(64, commit.Length);
        Assert.Equal(commit, Location(result, token).GetProperty("commit").GetString());
    }

    [Fact]
    public void DamagedTree_RevListTakesOver_WithAWarning()
    {
        using var repo = new GitRepo();
        var token = Tokens.New("phx_");
        repo.Write("kept/settings.py", $"KEY = \"{token}\"\n");
        repo.Write("lost/readme.txt", "gone\n");
        repo.Commit("two folders");
        var lost = repo.Git("rev-parse", "HEAD:lost").Trim();
        File.Delete(Path.Combine(repo.Root, ".git", "objects", lost[..2], lost[2..]));

        var result = Tool.Run(repo.Root, "scan", "--history", "-f", "json");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains(Report.Parse(result).Warnings, w => w.StartsWith("git log could not read the whole history", StringComparison.Ordinal));
        Assert.Equal("kept/settings.py", Location(result, token).GetProperty("path").GetString());
    }
}
