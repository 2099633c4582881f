using System.CommandLine;
using HogGuard.Cli.Tests.Infrastructure;
using HogGuard.Testing;

namespace HogGuard.Cli.Tests;

/// <summary>Text for people and logs, annotations for GitHub, and one meaning per option across commands.</summary>
public sealed class OutputFormTests
{
    private static (GitRepo Repo, string Token) RepoWithFinding(string path = "src/app.txt")
    {
        var repo = new GitRepo(init: false);
        var token = Tokens.New("phx_");
        repo.Write(path, "x = 1\nkey = " + token + "\n");
        return (repo, token);
    }

    [Fact]
    public void Piped_TextIsOneWholeLinePerPlace_NoTableNoWrapping()
    {
        var (repo, token) = RepoWithFinding();
        using var _ = repo;

        var result = Tool.Run(repo.Root, "scan", "--no-git");

        Assert.Equal(1, result.ExitCode);
        Assert.DoesNotContain("│", result.Stdout, StringComparison.Ordinal);
        var line = Assert.Single(result.Stdout.Split('\n'), l => l.Contains("src/app.txt", StringComparison.Ordinal));
        Assert.Equal($"critical posthog-personal-api-key {$"{token[..4]}...{token[^4..]}"} {TestTokens.Sha256Prefix(token)} src/app.txt:2:7", line);

        // The fix text is one line, never cut at a column.
        var fix = Assert.Single(result.Stdout.Split('\n'), l => l.StartsWith("posthog-personal-api-key: ", StringComparison.Ordinal));
        Assert.EndsWith(".", fix, StringComparison.Ordinal);
    }

    [Fact]
    public void OnATerminal_TheTableFitsTheWidth_AndKeepsRuleIdsAndPathsWhole()
    {
        var (repo, _) = RepoWithFinding("config/production/settings.txt");
        using var _ = repo;

        var result = Tool.RunOnTerminal(repo.Root, 80, new() { ["NO_COLOR"] = "1" }, "scan", "--no-git");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("│", result.Stdout, StringComparison.Ordinal);
        Assert.All(result.Stdout.Split('\n'), l => Assert.True(l.Length <= 80, $"{l.Length} columns: {l}"));
        Assert.Contains("posthog-personal-api-key", result.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("\u001b[", result.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true, "auto", null, true)]
    [InlineData(true, "auto", "1", false)]
    [InlineData(true, "never", null, false)]
    [InlineData(false, "auto", null, false)]
    [InlineData(false, "always", null, true)]
    public void Color_FollowsTheOptionTheTerminalAndNoColor(bool terminal, string color, string? noColor, bool expectAnsi)
    {
        var (repo, _) = RepoWithFinding();
        using var _ = repo;
        var environment = new Dictionary<string, string> { ["NO_COLOR"] = noColor ?? string.Empty };
        string[] args = ["scan", "--no-git", "--color", color];

        var result = terminal ? Tool.RunOnTerminal(repo.Root, 120, environment, args) : Tool.RunWithEnvironment(repo.Root, null, environment, args);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(expectAnsi, result.Stdout.Contains("\u001b[", StringComparison.Ordinal));
    }

    [Fact]
    public void GitHubFormat_PrintsOneEscapedAnnotationPerPlace_WithMasksOnly()
    {
        var (repo, token) = RepoWithFinding("a,b:c/app.txt");
        using var _ = repo;

        var result = Tool.Run(repo.Root, "scan", "--no-git", "--format", "github");

        Assert.Equal(1, result.ExitCode);
        var annotation = Assert.Single(result.Stdout.Split('\n'), l => l.StartsWith("::", StringComparison.Ordinal));
        Assert.StartsWith("::error file=a%2Cb%3Ac/app.txt,line=2,col=7,title=posthog-personal-api-key (critical)::", annotation, StringComparison.Ordinal);
        Assert.Contains($"{token[..4]}...{token[^4..]}", annotation, StringComparison.Ordinal);
        Assert.Contains("hogguard: 1 finding(s); failing at --fail-on high", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Statistics_SayStandardInputAndBlobsWhereThatIsWhatWasRead()
    {
        using var repo = new GitRepo();
        repo.Write("a.txt", "one\n");
        repo.Write("b.txt", "two\n");
        repo.Commit("two files");

        var stdin = Tool.RunWithInput(repo.Root, "hello, world\n", "scan", "-");
        var history = Tool.Run(repo.Root, "scan", ".", "--history");

        Assert.Contains("(standard input, 13 bytes)", stdin.Stdout, StringComparison.Ordinal);
        Assert.Contains("(2 blobs, 8 bytes)", history.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void BareHogguard_ShowsHelpAndExitsZero()
    {
        using var folder = new GitRepo(init: false);

        var result = Tool.Run(folder.Root);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("Usage:", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("scan", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void EveryShortOption_MeansOneThingAcrossCommands_AndEveryCommandTakesVerboseAndColor()
    {
        var root = CliApp.CreateRoot(new CliConsole { Out = TextWriter.Null, Error = TextWriter.Null, In = TextReader.Null, OpenInput = () => Stream.Null, WorkingDirectory = "/" });
        var meanings = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        var leaves = new List<string[]>();
        void Walk(Command command, string[] path)
        {
            foreach (var option in command.Options)
            {
                foreach (var alias in option.Aliases.Where(a => a.Length == 2))
                {
                    meanings.TryAdd(alias, []);
                    meanings[alias].Add(option.Name);
                }
            }

            if (command.Subcommands.Count == 0)
            {
                leaves.Add(path);
            }

            foreach (var sub in command.Subcommands)
            {
                Walk(sub, [.. path, sub.Name]);
            }
        }

        Walk(root, []);

        Assert.All(meanings, m => Assert.True(m.Value.Count == 1, $"{m.Key} means {string.Join(" and ", m.Value)}"));
        Assert.True(leaves.Count >= 12, $"{leaves.Count} commands");
        Assert.All(leaves, path => Assert.Empty(root.Parse([.. path, "--verbose", "--color", "never", "--help"]).Errors));
    }

    [Fact]
    public void Verbose_OnACommandThatHadNone_PrintsTheStackTrace()
    {
        using var folder = new GitRepo(init: false);

        var plain = Tool.Run(folder.Root, "audit", "stats", "no-such-log");
        var verbose = Tool.Run(folder.Root, "audit", "stats", "no-such-log", "-v");

        Assert.Equal(2, plain.ExitCode);
        Assert.Equal(2, verbose.ExitCode);
        Assert.DoesNotContain(" at HogGuard", plain.Stderr, StringComparison.Ordinal);
        Assert.Contains(" at HogGuard", verbose.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("? [a]\n: b\n")]
    [InlineData("scan:\n  ? [a]\n  : b\n")]
    [InlineData("environments:\n  prod:\n    ? {a: b}\n    : c\n")]
    [InlineData("environments:\n  prod:\n    keys:\n      - ? [a]\n        : b\n")]
    public void ComplexYamlKeys_AreOneClearErrorNotAnInternalOne(string yaml)
    {
        using var folder = new GitRepo(init: false);
        folder.Write("hogguard.yml", yaml);

        var result = Tool.Run(folder.Root, "scan", ".", "--no-git");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("hogguard.yml:", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("internal error", result.Stderr, StringComparison.Ordinal);
    }
}

/// <summary><c>--sarif FILE</c>: a second report beside whatever <c>--format</c> prints.</summary>
public sealed class SecondReportTests
{
    [Fact]
    public void Sarif_IsWrittenBesideTheAnnotations_AndMayNotBeTheOutputFile()
    {
        using var repo = new GitRepo(init: false);
        repo.Write("app.txt", Tokens.New("phx_"));

        var both = Tool.Run(repo.Root, "scan", "--no-git", "--format", "github", "--sarif", "report.sarif");
        var same = Tool.Run(repo.Root, "scan", "--no-git", "--format", "json", "-o", "x.json", "--sarif", "x.json");

        Assert.Equal(1, both.ExitCode);
        Assert.StartsWith("::error ", both.Stdout, StringComparison.Ordinal);
        Assert.Contains("\"version\": \"2.1.0\"", File.ReadAllText(Path.Combine(repo.Root, "report.sarif")), StringComparison.Ordinal);
        Assert.Equal(2, same.ExitCode);
        Assert.Contains("--sarif and --output name the same file", same.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(repo.Root, "x.json")));
    }
}

/// <summary><c>--format json</c> on the commands whose text output is lines: keys rotations, audit stats, webhook sign.</summary>
public sealed class CommandJsonTests
{
    [Fact]
    public void AuditStats_Json_CountsWhatWasAppended()
    {
        using var folder = new GitRepo(init: false);
        var append = Tool.RunWithInput(folder.Root, "{\"action\":\"key.read\",\"user_id\":\"u1\",\"resource\":\"r\",\"result\":\"success\"}\n{\"action\":\"key.read\",\"user_id\":\"u1\",\"resource\":\"r\",\"result\":\"success\"}\n", "audit", "append", "log");
        Assert.True(append.ExitCode == 0, append.ToString());

        var stats = Tool.Run(folder.Root, "audit", "stats", "log", "-f", "json");

        Assert.Equal(0, stats.ExitCode);
        using var json = System.Text.Json.JsonDocument.Parse(stats.Stdout);
        Assert.Equal(2, json.RootElement.GetProperty("entries").GetInt64());
        Assert.Equal(1, json.RootElement.GetProperty("segments").GetInt32());
        Assert.True(json.RootElement.GetProperty("bytes").GetInt64() > 0);
        Assert.Equal(System.Text.Json.JsonValueKind.String, json.RootElement.GetProperty("last_entry").ValueKind);
    }

    [Fact]
    public void KeysRotations_Json_IsAnEmptyListWhenNothingWasRotated()
    {
        using var folder = new GitRepo(init: false);
        folder.Write("hogguard.yml", "scan: {}\n");

        var result = Tool.Run(folder.Root, "keys", "rotations", "-f", "json");

        Assert.Equal(0, result.ExitCode);
        using var json = System.Text.Json.JsonDocument.Parse(result.Stdout);
        Assert.Equal(0, json.RootElement.GetProperty("rotations").GetArrayLength());
    }

    [Fact]
    public void WebhookSign_Json_GivesHeadersThatVerify()
    {
        using var folder = new GitRepo(init: false);
        folder.Write("secret", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
        folder.Write("body.json", "{\"event\":\"signed_up\"}");

        var sign = Tool.Run(folder.Root, "webhook", "sign", "--secret-file", "secret", "--body", "body.json", "-f", "json");
        using var json = System.Text.Json.JsonDocument.Parse(sign.Stdout);
        var headers = json.RootElement.GetProperty("headers");
        var verify = Tool.Run(
            folder.Root, "webhook", "verify", "--secret-file", "secret", "--body", "body.json",
            "--id", headers.GetProperty("webhook-id").GetString()!, "--timestamp", headers.GetProperty("webhook-timestamp").GetString()!, "--signature", headers.GetProperty("webhook-signature").GetString()!);

        Assert.Equal(0, sign.ExitCode);
        Assert.Equal((0, "valid"), (verify.ExitCode, verify.Stdout.Trim()));
    }
}

/// <summary>The progress line: a total and a percentage once the listing is done, for history and tree scans.</summary>
public sealed class ProgressTests
{
    [Fact]
    public void Describe_SaysOfTotalAndPercentOnceKnown()
    {
        var stats = new HogGuard.Sources.ScanStatistics();
        stats.AddScanned(1024);
        stats.AddScanned(1024);
        stats.AddBinary();

        var before = ProgressDisplay.Describe(stats, history: true);
        stats.Total = 12;
        var after = ProgressDisplay.Describe(stats, history: true);
        var tree = ProgressDisplay.Describe(stats, history: false);

        Assert.Equal("Scanning history: 3 blobs, 2.0 KiB", before);
        Assert.Equal("Scanning history: 3 of 12 blobs (25%), 2.0 KiB", after);
        Assert.Equal("Scanning files: 3 of 12 files (25%), 2.0 KiB", tree);
    }

    [Fact]
    public async Task Scans_KnowTheirTotal_HistoryInBlobsAndTreeInFiles()
    {
        using var repo = new GitRepo();
        repo.Write("a.txt", "one\n");
        repo.Write("b.txt", "two\n");
        repo.Commit("first");
        repo.Write("a.txt", "changed\n");
        repo.Commit("second");
        repo.Write("untracked.txt", "three\n");

        var history = await HogGuard.Sources.SecretScanner.ScanAsync(new HogGuard.Sources.ScanOptions { Mode = HogGuard.Sources.ScanMode.History, Path = repo.Root });
        var tree = await HogGuard.Sources.SecretScanner.ScanAsync(new HogGuard.Sources.ScanOptions { Path = repo.Root });

        Assert.Equal(3, history.Statistics.Total);
        Assert.Equal(3, history.Statistics.Done);
        Assert.Equal(HogGuard.Sources.ScanUnit.Blobs, history.Statistics.Unit);
        Assert.Equal(3, tree.Statistics.Total);
        Assert.Equal(HogGuard.Sources.ScanUnit.Files, tree.Statistics.Unit);
    }
}
