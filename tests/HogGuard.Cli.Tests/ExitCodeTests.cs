using HogGuard.Cli.Tests.Infrastructure;

namespace HogGuard.Cli.Tests;

/// <summary>Bad usage and unreadable input: exit 2, one clear line naming the problem and the fix, no stack trace.</summary>
public sealed class ExitCodeTests
{
    private static void AssertUsageError(ToolResult result, string expected)
    {
        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains(expected, result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);
        Assert.Equal(string.Empty, result.Stdout);
    }

    [Fact]
    public void Scan_PathThatDoesNotExist_Exits2()
    {
        using var folder = new GitRepo(init: false);
        AssertUsageError(Tool.Run(folder.Root, "scan", "no/such/place"), "no/such/place does not exist");
    }

    [Theory]
    [InlineData("--history")]
    [InlineData("--staged")]
    public void Scan_GitModesOutsideARepository_Exit2(string mode)
    {
        using var folder = new GitRepo(init: false);
        AssertUsageError(Tool.Run(folder.Root, "scan", mode), "is not a git repository");
    }

    [Fact]
    public void Scan_BrokenRepository_Exits2()
    {
        using var repo = new GitRepo();
        File.WriteAllText(Path.Combine(repo.Root, ".git", "HEAD"), "garbage\n");
        AssertUsageError(Tool.Run(repo.Root, "scan", "--history"), "is not a git repository");
    }

    [Fact]
    public void Scan_MalformedConfiguration_Exits2NamingTheLine()
    {
        using var folder = new GitRepo(init: false);
        File.WriteAllText(Path.Combine(folder.Root, "hogguard.yml"), "scan:\n  allow_paths: [a\n");
        AssertUsageError(Tool.Run(folder.Root, "scan"), ": not valid YAML: ");
    }

    [Fact]
    public void Scan_MissingConfigurationFile_Exits2()
    {
        using var folder = new GitRepo(init: false);
        AssertUsageError(Tool.Run(folder.Root, "scan", "--config", "nope.yml"), "configuration file nope.yml does not exist");
    }

    [Fact]
    public void Scan_MalformedBaseline_Exits2()
    {
        using var folder = new GitRepo(init: false);
        File.WriteAllText(Path.Combine(folder.Root, "baseline.json"), "{ not json");
        AssertUsageError(Tool.Run(folder.Root, "scan", "--baseline", "baseline.json"), "baseline baseline.json is not valid JSON");
    }

    [Theory]
    [InlineData("--format", "xml")]
    [InlineData("--fail-on", "severe")]
    [InlineData("--no-such-option")]
    [InlineData("--max-file-size", "huge")]
    [InlineData("--threads", "0")]
    public void Scan_BadOptions_Exit2(params string[] args)
    {
        using var folder = new GitRepo(init: false);
        var result = Tool.Run(folder.Root, ["scan", .. args]);
        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("hogguard: ", result.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--output")]
    [InlineData("--write-baseline")]
    public void Scan_OutputIntoAMissingFolder_Exits2BeforeScanning(string option)
    {
        using var folder = new GitRepo(init: false);
        AssertUsageError(Tool.Run(folder.Root, "scan", option, "no/such/dir/report.json"), "does not exist; create it");
    }

    [Fact]
    public void Scan_HistoryWithStaged_Exits2()
    {
        using var repo = new GitRepo();
        AssertUsageError(Tool.Run(repo.Root, "scan", "--history", "--staged"), "cannot be combined");
    }

    [Theory]
    [InlineData(new[] { "scan", "-", "--history" }, "'-' reads standard input, which has no git history")]
    [InlineData(new[] { "scan", ".", "--host", "https://eu.posthog.com" }, "--host and --ingestion-host only matter with --verify")]
    [InlineData(new[] { "keys", "rotate", "--resume", "a", "--abort", "b" }, "--resume and --abort cannot be used together")]
    [InlineData(new[] { "keys", "rotate", "--env", "e", "--key", "k", "--poll-interval", "0" }, "must be whole numbers of seconds above 0")]
    [InlineData(new[] { "keys", "rotate", "--env", "e", "--key", "k", "--grace", "-1" }, "--grace must be a whole number of seconds from 0 to 86400")]
    public void ConflictingOptions_AreRefusedByTheParser_BeforeAnythingRuns(string[] args, string expected)
    {
        // No hogguard.yml here: had the command run, it would have said so instead.
        using var folder = new GitRepo(init: false);
        var result = Tool.RunWithInput(folder.Root, string.Empty, args);
        AssertUsageError(result, expected);
        Assert.DoesNotContain("hogguard.yml", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Scan_VerboseError_AddsTheStackTrace()
    {
        using var folder = new GitRepo(init: false);
        var result = Tool.Run(folder.Root, "scan", "--history", "--verbose");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("   at ", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Help_ListsTheCommandsAndExitsZero()
    {
        using var folder = new GitRepo(init: false);
        var result = Tool.Run(folder.Root, "scan", "--help");
        Assert.Equal(0, result.ExitCode);
        foreach (var option in new[] { "--history", "--staged", "--format", "--fail-on", "--baseline", "--write-baseline", "--output" })
        {
            Assert.Contains(option, result.Stdout, StringComparison.Ordinal);
        }
    }
}
