using HogGuard.Cli.Tests.Infrastructure;
using HogGuard.Testing;

namespace HogGuard.Cli.Tests;

public sealed class ScanHistoryTests
{
    private static System.Text.Json.JsonElement OnlyLocation(Report report, string token)
    {
        var finding = report.ByFingerprint(TestTokens.Sha256Prefix(token));
        return Assert.Single(finding.GetProperty("locations").EnumerateArray());
    }

    [Fact]
    public void History_SecretDeletedLater_IsFoundAtTheCommitThatAddedIt()
    {
        using var repo = new GitRepo();
        repo.Write("README.md", "hello\n");
        repo.Commit("first");
        var token = Tokens.New("phx_", base57: false);
        repo.Write("config/settings.py", $"# settings\nKEY = \"{token}\"\n");
        var added = repo.Commit("add settings");
        repo.Delete("config/settings.py");
        repo.Commit("remove the key");

        var tree = Tool.Run(repo.Root, "scan", "--format", "json");
        var history = Tool.Run(repo.Root, "scan", "--history", "--format", "json");

        Assert.DoesNotContain("posthog-personal-api-key", Report.Parse(tree).Rules);
        Assert.Equal(1, history.ExitCode);
        var location = OnlyLocation(Report.Parse(history), token);
        Assert.Equal(added, location.GetProperty("commit").GetString());
        Assert.Equal("config/settings.py", location.GetProperty("path").GetString());
        Assert.Equal(2, location.GetProperty("line").GetInt32());
        Assert.Equal("Test Author", location.GetProperty("author").GetString());
        Assert.False(string.IsNullOrEmpty(location.GetProperty("date").GetString()));
    }

    [Fact]
    public void History_SecretCarriedThroughEdits_IsOneLocationAtItsFirstCommit()
    {
        using var repo = new GitRepo();
        var token = Tokens.New("phs_");
        repo.Write("app.js", $"const k = '{token}';\n");
        var first = repo.Commit("add");
        repo.Write("app.js", $"// edit\nconst k = '{token}';\n");
        repo.Commit("edit 1");
        repo.Write("app.js", $"// edit\n// again\nconst k = '{token}';\n");
        repo.Commit("edit 2");

        var location = OnlyLocation(Report.Parse(Tool.Run(repo.Root, "scan", "--history", "--format", "json")), token);

        Assert.Equal(first, location.GetProperty("commit").GetString());
    }

    [Fact]
    public void History_SameContentRemovedAndRestored_ReportsTheFirstCommit()
    {
        using var repo = new GitRepo();
        var token = Tokens.New("phx_");
        repo.Write("keys.txt", token + "\n");
        var first = repo.Commit("add");
        repo.Delete("keys.txt");
        repo.Commit("remove");
        repo.Write("keys.txt", token + "\n");
        repo.Commit("restore the same blob");

        var location = OnlyLocation(Report.Parse(Tool.Run(repo.Root, "scan", "--history", "--format", "json")), token);

        Assert.Equal(first, location.GetProperty("commit").GetString());
    }

    [Fact]
    public void History_SecretOnlyOnAnotherBranch_IsFound()
    {
        using var repo = new GitRepo();
        repo.Write("a.txt", "a\n");
        repo.Commit("base");
        repo.Git("checkout", "-q", "-b", "feature");
        var token = Tokens.New("pha_");
        repo.Write("feature.txt", token + "\n");
        var commit = repo.Commit("feature work");
        repo.Git("checkout", "-q", "main");

        var location = OnlyLocation(Report.Parse(Tool.Run(repo.Root, "scan", "--history", "--format", "json")), token);

        Assert.Equal(commit, location.GetProperty("commit").GetString());
    }

    [Fact]
    public void History_SecretOnlyBehindATag_IsFound()
    {
        using var repo = new GitRepo();
        repo.Write("a.txt", "a\n");
        repo.Commit("base");
        repo.Git("checkout", "-q", "-b", "release");
        var token = Tokens.New("phr_", base57: false);
        repo.Write("release.txt", $"token={token}\n");
        var commit = repo.Commit("release build");
        repo.Git("tag", "-a", "v1.0", "-m", "release");
        repo.Git("checkout", "-q", "main");
        repo.Git("branch", "-D", "release");

        var location = OnlyLocation(Report.Parse(Tool.Run(repo.Root, "scan", "--history", "--format", "json")), token);

        Assert.Equal(commit, location.GetProperty("commit").GetString());
    }

    [Theory]
    [InlineData("--bare")]
    [InlineData("--mirror")]
    public void History_BareAndMirrorClones_AreScanned(string cloneKind)
    {
        using var repo = new GitRepo();
        var token = Tokens.New("phx_");
        repo.Write("deploy.sh", $"export POSTHOG_PERSONAL_API_KEY={token}\n");
        var commit = repo.Commit("deploy");
        repo.Delete("deploy.sh");
        repo.Commit("oops, remove");
        using var clone = new GitRepo(init: false);
        var target = Path.Combine(clone.Root, "clone.git");
        GitRepo.RunGit(clone.Root, null, "clone", "-q", cloneKind, repo.Root, target);

        var result = Tool.Run(clone.Root, "scan", target, "--history", "--format", "json");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(commit, OnlyLocation(Report.Parse(result), token).GetProperty("commit").GetString());
    }

    [Fact]
    public void History_CommittedEnvFileRemovedLater_IsReportedWithItsCommit()
    {
        using var repo = new GitRepo();
        repo.Write(".env", "DEBUG=true\n");
        var commit = repo.Commit("add env");
        repo.Delete(".env");
        repo.Commit("remove env");

        var report = Report.Parse(Tool.Run(repo.Root, "scan", "--history", "--format", "json"));

        var location = Assert.Single(report.Single("env-file-committed").GetProperty("locations").EnumerateArray());
        Assert.Equal(commit, location.GetProperty("commit").GetString());
    }

    [Fact]
    public void History_MissingObjects_WarnWithACountAndTheScanGoesOn()
    {
        using var repo = new GitRepo();
        var kept = Tokens.New("phx_");
        repo.Write("kept.txt", kept + "\n");
        repo.Write("lost.txt", "this blob will be deleted from the object store\n");
        repo.Commit("two files");
        var lostId = repo.Git("rev-parse", "HEAD:lost.txt").Trim();
        File.Delete(Path.Combine(repo.Root, ".git", "objects", lostId[..2], lostId[2..]));

        var strict = Tool.Run(repo.Root, "scan", "--history", "--format", "json");
        var result = Tool.Run(repo.Root, "scan", "--history", "--format", "json", "--allow-missing-objects");

        // A damaged object may hold a secret: the scan is incomplete, exit 2 unless accepted.
        Assert.Equal(2, strict.ExitCode);
        Assert.Contains("--allow-missing-objects", strict.Stderr, StringComparison.Ordinal);
        Assert.Equal(1, result.ExitCode);
        var report = Report.Parse(result);
        Assert.Equal(1, report.Summary.GetProperty("missing_objects").GetInt32());
        report.ByFingerprint(TestTokens.Sha256Prefix(kept));
        Assert.Single(result.Stderr.Split('\n'), l => l.Contains("objects are missing", StringComparison.Ordinal));
    }

    [Fact]
    public void History_BlobOverTheSizeLimit_IsSkippedWithAWarning()
    {
        using var repo = new GitRepo();
        repo.Write("big.txt", new string('a', 5000) + Tokens.New("phx_"));
        repo.Write("small.txt", "ok\n");
        repo.Commit("big");

        var result = Tool.Run(repo.Root, "scan", "--history", "--format", "json", "--max-file-size", "1KB");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(1, Report.Parse(result).Summary.GetProperty("skipped_too_large").GetInt32());
        Assert.Contains("skipped 1 blobs over the 1,024-byte limit", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void History_Utf16FileFromPowerShell_IsFoundInTreeAndHistory()
    {
        using var repo = new GitRepo();
        var token = Tokens.New("phx_");
        var text = $"POSTHOG_PERSONAL_API_KEY={token}\r\n";
        File.WriteAllBytes(Path.Combine(repo.Root, "settings.ps1.txt"), [0xFF, 0xFE, .. System.Text.Encoding.Unicode.GetBytes(text)]);
        repo.Write("after.txt", "a blob that follows in the same cat-file stream\n");
        repo.Commit("powershell wrote this");

        var tree = Report.Parse(Tool.Run(repo.Root, "scan", "--format", "json"));
        var history = Report.Parse(Tool.Run(repo.Root, "scan", "--history", "--format", "json"));

        tree.ByFingerprint(TestTokens.Sha256Prefix(token));
        history.ByFingerprint(TestTokens.Sha256Prefix(token));
        Assert.Equal(0, history.Summary.GetProperty("skipped_binary").GetInt32());
    }

    [Fact]
    public void History_BlobReachableOnlyThroughATag_IsFound()
    {
        using var repo = new GitRepo();
        repo.Write("a.txt", "a\n");
        repo.Commit("base");
        var token = Tokens.New("phs_");
        var blob = repo.GitWithInput(token + "\n", "hash-object", "-w", "--stdin").Trim();
        repo.Git("tag", "stash-of-keys", blob);

        var finding = Report.Parse(Tool.Run(repo.Root, "scan", "--history", "--format", "json")).ByFingerprint(TestTokens.Sha256Prefix(token));

        Assert.Contains(blob, finding.GetProperty("locations")[0].GetProperty("path").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void History_PartialClone_WarnsAboutMissingBlobsAndNeverFetches()
    {
        using var source = new GitRepo();
        source.Git("config", "uploadpack.allowFilter", "true");
        source.Write("a.txt", "one\n");
        source.Write("b.txt", "two\n");
        source.Commit("files");
        using var clone = new GitRepo(init: false);
        var target = Path.Combine(clone.Root, "partial");
        var (code, _, error) = GitRepo.RunGit(clone.Root, null, "clone", "-q", "--no-checkout", "--filter=blob:none", "file://" + source.Root, target);
        Assert.True(code == 0, error);

        // The promisor remote is gone: any attempt to fetch a missing blob would fail or hang.
        GitRepo.RunGit(target, null, "remote", "set-url", "origin", "file:///nonexistent/hogguard-promisor");

        var result = Tool.Run(clone.Root, "scan", target, "--history", "--format", "json");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(2, Report.Parse(result).Summary.GetProperty("missing_objects").GetInt32());
        Assert.Contains("this is a partial clone", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void History_EmptyRepository_IsClean()
    {
        using var repo = new GitRepo();

        var result = Tool.Run(repo.Root, "scan", "--history", "--format", "json");

        Assert.Equal(0, result.ExitCode);
        Assert.Empty(Report.Parse(result).Findings);
    }
}
