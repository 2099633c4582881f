using HogGuard.Cli.Tests.Infrastructure;
using HogGuard.Testing;

namespace HogGuard.Cli.Tests;

/// <summary>What decides a CI run: --fail-on none, --fail-on-live, a baseline named in hogguard.yml, ranges of history and shallow clones.</summary>
public sealed class CiGateTests
{
    [Fact]
    public void FailOnNone_ReportsEveryFindingAndExitsZero()
    {
        using var repo = new GitRepo(init: false);
        var token = Tokens.New("phx_");
        repo.Write("app.txt", token);

        var result = Tool.Run(repo.Root, "scan", "--no-git", "--fail-on", "none", "--format", "json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var report = Report.Parse(result);
        Assert.Equal("none", report.Summary.GetProperty("fail_on").GetString());
        Assert.False(report.Summary.GetProperty("failed").GetBoolean());
        report.ByFingerprint(TestTokens.Sha256Prefix(token));
    }

    [Fact]
    public void FailOnChoices_AreListedBySeverity()
    {
        using var folder = new GitRepo(init: false);

        var result = Tool.Run(folder.Root, "scan", "--fail-on", "severe");

        Assert.Equal(2, result.ExitCode);
        var positions = new[] { "'low'", "'medium'", "'high'", "'critical'", "'none'" }.Select(c => result.Stderr.IndexOf(c, StringComparison.Ordinal)).ToList();
        Assert.DoesNotContain(-1, positions);
        Assert.Equal(positions.Order(), positions);
    }

    private static object Seed(string live) => new
    {
        projects = new object[] { new { id = 1, name = "Web" } },
        users = new object[] { new { email = "dev@example.com", personal_api_keys = new object[] { new { label = "ci", value = live, scopes = new[] { "insight:read" } } } } },
    };

    [Fact]
    public async Task FailOnLive_FailsOnlyForKeysPostHogAcceptsOrCannotJudge()
    {
        var live = Tokens.New("phx_");
        var dead = Tokens.New("phx_");
        var refresh = Tokens.New("phr_");
        await using var emulator = await EmulatorHost.StartAsync(Seed(live));
        using var repo = new GitRepo(init: false);
        repo.Write("dead.txt", dead);

        // A dead key alone passes the live gate, though its severity would fail a plain scan.
        Assert.Equal(1, Tool.Run(repo.Root, "scan", "--no-git", "--verify", "--host", emulator.Address).ExitCode);
        var deadOnly = Tool.Run(repo.Root, "scan", "--no-git", "--verify", "--fail-on-live", "--host", emulator.Address);
        Assert.True(deadOnly.ExitCode == 0, deadOnly.ToString());
        Assert.Contains("--fail-on-live", deadOnly.Stdout, StringComparison.Ordinal);

        // A refresh token cannot be checked: it fails the default live gate, not the strict one.
        repo.Write("refresh.txt", refresh);
        Assert.Equal(1, Tool.Run(repo.Root, "scan", "--no-git", "--verify", "--fail-on-live", "--host", emulator.Address).ExitCode);
        var strict = Tool.Run(repo.Root, "scan", "--no-git", "--verify", "--fail-on-live=strict", "--host", emulator.Address, "--format", "json");
        Assert.True(strict.ExitCode == 0, strict.ToString());
        Assert.Equal("strict", Report.Parse(strict).Summary.GetProperty("fail_on_live").GetString());

        // A live key fails both.
        repo.Write("live.txt", live);
        Assert.Equal(1, Tool.Run(repo.Root, "scan", "--no-git", "--verify", "--fail-on-live=strict", "--host", emulator.Address).ExitCode);
        Assert.Equal(1, Tool.Run(repo.Root, "scan", ".", "--no-git", "--verify", "--fail-on-live", "--host", emulator.Address).ExitCode);
    }

    [Theory]
    [InlineData("--verify", "--fail-on-live", "/no/such/path")]
    [InlineData("--verify", "--fail-on-live=bogus")]
    [InlineData("--verify", "--fail-on-live", "strict", "--fail-on", "none")]
    [InlineData("--threads=abc")]
    [InlineData("--color=purple")]
    [InlineData("--history", "--range=")]
    [InlineData("--history", "--since")]
    [InlineData("--format")]
    [InlineData("--sarif", "a.sarif", "-o", "a.sarif")]
    [InlineData("--fail-on", "\u00e9lev\u00e9")]
    public void HostileArguments_AreOneUsageErrorNeverACrash(params string[] args)
    {
        using var repo = new GitRepo();

        var result = Tool.Run(repo.Root, ["scan", .. args]);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.StartsWith("hogguard: ", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("internal error", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void FailOnLive_WithoutVerify_IsRefusedBeforeScanning()
    {
        using var repo = new GitRepo(init: false);

        var result = Tool.Run(repo.Root, "scan", "--fail-on-live");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("add --verify", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void ConfigBaseline_HidesKnownFindingsInEveryScanUntilNoBaseline()
    {
        using var repo = new GitRepo();
        var old = Tokens.New("phx_");
        repo.Write("legacy.txt", old);
        repo.Commit("legacy");
        Assert.Equal(0, Tool.Run(repo.Root, "scan", ".", "--write-baseline", ".hogguard-baseline.json").ExitCode);
        Directory.CreateDirectory(Path.Combine(repo.Root, "sub"));
        repo.Write("hogguard.yml", "scan:\n  baseline: .hogguard-baseline.json\n");

        Assert.Equal(0, Tool.Run(repo.Root, "scan", ".").ExitCode);
        Assert.Equal(0, Tool.Run(repo.Root, "scan", ".", "--history").ExitCode);
        var all = Tool.Run(repo.Root, "scan", ".", "--no-baseline");
        Assert.Equal(1, all.ExitCode);

        // The pre-commit scan uses it too: staging the known key again does not block the commit, a new one does.
        repo.Write("copy.txt", old);
        repo.Git("add", "copy.txt");
        Assert.Equal(0, Tool.Run(repo.Root, "scan", ".", "--staged").ExitCode);
        repo.Write("new.txt", Tokens.New("phs_"));
        repo.Git("add", "new.txt");
        Assert.Equal(1, Tool.Run(repo.Root, "scan", ".", "--staged").ExitCode);
    }

    [Fact]
    public void ConfigBaseline_ThatDoesNotExist_IsAnErrorNotASilentFullReport()
    {
        using var repo = new GitRepo(init: false);
        repo.Write("hogguard.yml", "scan:\n  baseline: missing.json\n");

        var result = Tool.Run(repo.Root, "scan", ".", "--no-git");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("missing.json, which does not exist", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("--write-baseline", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Range_ScansOnlyWhatThoseCommitsIntroduced()
    {
        using var repo = new GitRepo();
        var before = Tokens.New("phx_");
        var inRange = Tokens.New("phs_");
        repo.Write("old.txt", before);
        var baseCommit = repo.Commit("base");
        repo.Git("checkout", "-q", "-b", "feature");
        repo.Write("new.txt", inRange);
        repo.Write("old.txt", before + "\nmore\n");
        var head = repo.Commit("feature work");

        foreach (var args in new[] { new[] { "--range", $"{baseCommit}..{head}" }, ["--range", "main..feature"], ["--range", "main.."], ["--since", "main"] })
        {
            var result = Tool.Run(repo.Root, ["scan", ".", "--history", "--format", "json", .. args]);
            var report = Report.Parse(result);
            var finding = report.ByFingerprint(TestTokens.Sha256Prefix(inRange));
            Assert.Equal(head, finding.GetProperty("locations")[0].GetProperty("commit").GetString());

            // The base's key sits in a blob the range changed: the new blob holds it, so it is still reported,
            // at the commit of the range that wrote that blob.
            Assert.Equal(head, report.ByFingerprint(TestTokens.Sha256Prefix(before)).GetProperty("locations")[0].GetProperty("commit").GetString());
        }

        repo.Git("checkout", "-q", "main");
        repo.Write("other.txt", "nothing\n");
        repo.Commit("unrelated");
        var onlyUnrelated = Tool.Run(repo.Root, "scan", ".", "--history", "--since", baseCommit);
        Assert.True(onlyUnrelated.ExitCode == 0, onlyUnrelated.ToString());
        Assert.Contains("No PostHog secrets found (1 blobs", onlyUnrelated.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--range", "main...feature", "two dots")]
    [InlineData("--range", "main", "BASE..HEAD")]
    [InlineData("--range", "nosuch..main", "'nosuch' (in --range/--since nosuch..main) is not a commit")]
    [InlineData("--since", "--all", "is not a revision")]
    public void Range_ThatIsNotOne_IsOneClearError(string option, string value, string message)
    {
        using var repo = new GitRepo();
        repo.Write("a.txt", "a\n");
        repo.Commit("one");

        var result = Tool.Run(repo.Root, "scan", ".", "--history", $"{option}={value}");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(message, result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void ShallowClone_WarnsWithTheDepthAndTheFix_AndFailOnShallowFails()
    {
        using var origin = new GitRepo();
        var old = Tokens.New("phx_");
        origin.Write("config.txt", old);
        origin.Commit("old secret");
        origin.Write("config.txt", "POSTHOG_KEY from the environment\n");
        origin.Commit("removed");
        origin.Write("readme.txt", "hello\n");
        origin.Commit("docs");
        using var clone = new GitRepo(init: false);
        GitRepo.RunGit(clone.Root, null, "clone", "-q", "--depth", "1", "file://" + origin.Root, "shallow");
        var shallow = Path.Combine(clone.Root, "shallow");

        var warned = Tool.Run(shallow, "scan", ".", "--history");
        var failed = Tool.Run(shallow, "scan", ".", "--history", "--fail-on-shallow", "--format", "json");
        var full = Tool.Run(origin.Root, "scan", ".", "--history");

        Assert.True(warned.ExitCode == 0, warned.ToString());
        Assert.Contains("shallow clone: only 1 commit(s)", warned.Stderr, StringComparison.Ordinal);
        Assert.Contains("git fetch --unshallow", warned.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, failed.ExitCode);
        Assert.Contains("--fail-on-shallow", failed.Stderr, StringComparison.Ordinal);
        Assert.Equal(1, full.ExitCode);
        Assert.DoesNotContain("shallow", full.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void HistoryOptions_WithoutHistory_AreRefused()
    {
        using var repo = new GitRepo();

        var result = Tool.Run(repo.Root, "scan", ".", "--since", "main");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("add --history", result.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, Tool.Run(repo.Root, "scan", ".", "--all-commits").ExitCode);
    }
}
