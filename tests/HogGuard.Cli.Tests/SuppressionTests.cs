using HogGuard.Cli.Tests.Infrastructure;
using HogGuard.Testing;

namespace HogGuard.Cli.Tests;

public sealed class SuppressionTests
{
    [Fact]
    public void Baseline_WrittenThenUsed_HidesKnownFindingsButNotNewOnes()
    {
        using var repo = new GitRepo(init: false);
        repo.Write("old.txt", Tokens.New("phx_"));

        var write = Tool.Run(repo.Root, "scan", "--no-git", "--write-baseline", "baseline.json");
        Assert.Equal(0, write.ExitCode);
        Tool.AssertNoTokenLeaked(new ToolResult(0, File.ReadAllText(Path.Combine(repo.Root, "baseline.json")), string.Empty));

        var known = Tool.Run(repo.Root, "scan", "--no-git", "--baseline", "baseline.json", "--format", "json");
        Assert.Equal(0, known.ExitCode);
        Assert.Equal(1, Report.Parse(known).Summary.GetProperty("suppressed").GetInt32());

        var fresh = Tokens.New("phs_");
        repo.Write("new.txt", fresh);
        var withNew = Tool.Run(repo.Root, "scan", "--no-git", "--baseline", "baseline.json", "--format", "json");
        Assert.Equal(1, withNew.ExitCode);
        Assert.Equal(TestTokens.Sha256Prefix(fresh), Assert.Single(Report.Parse(withNew).Findings).GetProperty("fingerprint").GetString());
    }

    [Fact]
    public void AllowPaths_InHogguardYml_HideFindingsUnderThosePaths()
    {
        using var repo = new GitRepo(init: false);
        repo.Write("hogguard.yml", "scan:\n  allow_paths:\n    - \"tests/**/Fixtures/**\"\n");
        repo.Write("tests/Unit/Fixtures/sample.txt", Tokens.New("phx_"));
        var real = Tokens.New("phr_");
        repo.Write("src/real.txt", real);

        var report = Report.Parse(Tool.Run(repo.Root, "scan", "--no-git", "--format", "json"));

        Assert.Equal(TestTokens.Sha256Prefix(real), Assert.Single(report.Findings).GetProperty("fingerprint").GetString());
    }

    [Fact]
    public void InlineAllow_OnTheLine_HidesOnlyThatLine()
    {
        using var repo = new GitRepo(init: false);
        repo.Write("a.py", $"TEST_KEY = \"{Tokens.New("phx_")}\"  # hogguard:allow (revoked test key)\n");

        Assert.Equal(0, Tool.Run(repo.Root, "scan", "--no-git").ExitCode);
    }
}
