using HogGuard.Cli.Tests.Infrastructure;
using HogGuard.Testing;

namespace HogGuard.Cli.Tests;

public sealed class ScanWorkingTreeTests
{
    private const string GoodGitignore = ".env\n.env.local\n.env.*.local\n";

    [Fact]
    public void Scan_TrackedSecret_Exits1WithMaskedFingerprintedJson()
    {
        using var repo = new GitRepo();
        var token = Tokens.New("phx_");
        repo.Write(".gitignore", GoodGitignore);
        repo.Write("src/app.py", $"import posthog\n\nposthog.personal_api_key = \"{token}\"\n");
        repo.Commit("add app");

        var result = Tool.Run(repo.Root, "scan", ".", "--format", "json");

        Assert.Equal(1, result.ExitCode);
        var finding = Report.Parse(result).Single("posthog-personal-api-key");
        Assert.Equal(TestTokens.Sha256Prefix(token), finding.GetProperty("fingerprint").GetString());
        Assert.Equal($"{token[..4]}...{token[^4..]}", finding.GetProperty("masked").GetString());
        var location = Assert.Single(finding.GetProperty("locations").EnumerateArray());
        Assert.Equal("src/app.py", location.GetProperty("path").GetString());
        Assert.Equal(3, location.GetProperty("line").GetInt32());
        Assert.Equal(29, location.GetProperty("column").GetInt32());
    }

    [Fact]
    public void Scan_CleanRepository_Exits0AndSaysSo()
    {
        using var repo = new GitRepo();
        repo.Write(".gitignore", GoodGitignore);
        repo.Write("README.md", "Set POSTHOG_PERSONAL_API_KEY=phx_your_key_here in your environment.\n");
        repo.Commit("docs");

        var result = Tool.Run(repo.Root, "scan");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("No PostHog secrets found", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Scan_OnlyAPublicProjectKey_Exits0UnlessFailOnLow()
    {
        using var repo = new GitRepo();
        repo.Write(".gitignore", GoodGitignore);
        repo.Write("web/index.html", $"<script>posthog.init('{Tokens.New("phc_", base57: false)}')</script>\n");
        repo.Commit("web");

        var normal = Tool.Run(repo.Root, "scan", "--format", "json");
        var strict = Tool.Run(repo.Root, "scan", "--format", "json", "--fail-on", "low");

        Assert.Equal(0, normal.ExitCode);
        Assert.Equal("low", Report.Parse(normal).Single("posthog-project-api-key").GetProperty("severity").GetString());
        Assert.Equal(1, strict.ExitCode);
    }

    [Fact]
    public void Scan_UntrackedNotIgnoredFile_IsScannedButIgnoredFileIsNot()
    {
        using var repo = new GitRepo();
        repo.Write(".gitignore", GoodGitignore + "build/\n");
        repo.Commit("init");
        var visible = Tokens.New("phs_");
        var ignored = Tokens.New("phx_");
        repo.Write("notes.txt", visible);
        repo.Write("build/out.txt", ignored);

        var withGit = Report.Parse(Tool.Run(repo.Root, "scan", "--format", "json"));
        var noGit = Report.Parse(Tool.Run(repo.Root, "scan", "--no-git", "--format", "json"));

        withGit.ByFingerprint(TestTokens.Sha256Prefix(visible));
        Assert.DoesNotContain(withGit.Findings, f => f.GetProperty("fingerprint").GetString() == TestTokens.Sha256Prefix(ignored));
        noGit.ByFingerprint(TestTokens.Sha256Prefix(ignored));
    }

    [Fact]
    public void Scan_CommittedEnvFilesAndMissingGitignore_AreReported()
    {
        using var repo = new GitRepo();
        repo.Write(".env", "DEBUG=1\n");
        repo.Write(".env.example", "POSTHOG_PERSONAL_API_KEY=phx_your_key_here\n");
        repo.Write("config/.env.sample", $"POSTHOG_KEY={Tokens.New("phs_")}\n");
        repo.Commit("env");
        repo.Write("local/.env.template", $"POSTHOG_KEY={Tokens.New("phx_")}\n"); // untracked: a secret, not a committed file

        var report = Report.Parse(Tool.Run(repo.Root, "scan", "--format", "json"));

        var envPaths = report.Findings.Where(f => f.GetProperty("rule").GetString() == "env-file-committed")
            .Select(f => f.GetProperty("locations")[0].GetProperty("path").GetString()).Order().ToList();
        Assert.Equal([".env", "config/.env.sample"], envPaths);
        var gitignore = report.Single("gitignore-env-missing");
        Assert.Equal("medium", gitignore.GetProperty("severity").GetString());
    }

    [Fact]
    public void Scan_GoodGitignore_HasNoGitignoreFinding()
    {
        using var repo = new GitRepo();
        repo.Write(".gitignore", GoodGitignore);
        repo.Commit("init");

        var report = Report.Parse(Tool.Run(repo.Root, "scan", "--format", "json"));

        Assert.DoesNotContain("gitignore-env-missing", report.Rules);
    }

    [Fact]
    public void Scan_BinaryAndOversizedFiles_AreSkippedWithANote()
    {
        using var repo = new GitRepo();
        repo.Write(".gitignore", GoodGitignore);
        File.WriteAllBytes(Path.Combine(repo.Root, "image.bin"), [0, 1, 2, 0, .. System.Text.Encoding.ASCII.GetBytes(Tokens.New("phx_"))]);
        repo.Write("big.txt", new string('a', 4096) + Tokens.New("phs_"));
        repo.Commit("files");

        var result = Tool.Run(repo.Root, "scan", "--format", "json", "--max-file-size", "1KB");

        Assert.Equal(0, result.ExitCode);
        var report = Report.Parse(result);
        Assert.Equal(1, report.Summary.GetProperty("skipped_binary").GetInt32());
        Assert.Equal(1, report.Summary.GetProperty("skipped_too_large").GetInt32());
        Assert.Contains("skipped big.txt", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Scan_StandardInput_ReportsWithStdinPath()
    {
        using var repo = new GitRepo(init: false);
        var token = Tokens.New("pha_");

        var result = Tool.RunWithInput(repo.Root, $"curl -H 'Authorization: Bearer {token}'\n", "scan", "-", "--format", "json");

        Assert.Equal(1, result.ExitCode);
        var finding = Report.Parse(result).Single("posthog-oauth-access-token");
        Assert.Equal("<stdin>", finding.GetProperty("locations")[0].GetProperty("path").GetString());
    }

    [Fact]
    public void Scan_SingleFilePath_ScansThatFile()
    {
        using var repo = new GitRepo(init: false);
        repo.Write("one.txt", Tokens.New("phr_"));
        repo.Write("two.txt", Tokens.New("phx_"));

        var report = Report.Parse(Tool.Run(repo.Root, "scan", "one.txt", "--format", "json"));

        Assert.Equal(["posthog-oauth-refresh-token"], report.Rules);
    }

    [Fact]
    public void Scan_TextReport_ShowsMaskFingerprintAndFix()
    {
        using var repo = new GitRepo(init: false);
        var token = Tokens.New("phs_");
        repo.Write("settings.py", $"SECRET = \"{token}\"\n");

        var result = Tool.Run(repo.Root, "scan", "--no-git");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"{token[..4]}...{token[^4..]}", result.Stdout, StringComparison.Ordinal);
        Assert.Contains(TestTokens.Sha256Prefix(token), result.Stdout, StringComparison.Ordinal);
        Assert.Contains("settings.py:1:11", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("Roll the key", result.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("\u001b[", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Scan_SarifToOutputFile_WritesValidSarifAndNothingToStdout()
    {
        using var repo = new GitRepo(init: false);
        repo.Write("a.env", $"POSTHOG_PERSONAL_API_KEY={Tokens.New("phx_")}\n");
        var output = Path.Combine(repo.Root, "out", "report.sarif");
        Directory.CreateDirectory(Path.GetDirectoryName(output)!);

        var result = Tool.Run(repo.Root, "scan", "--no-git", "--format", "sarif", "--output", output);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(string.Empty, result.Stdout);
        using var sarif = System.Text.Json.JsonDocument.Parse(File.ReadAllText(output));
        Assert.Equal("2.1.0", sarif.RootElement.GetProperty("version").GetString());
        var run = sarif.RootElement.GetProperty("runs")[0];
        var sarifResult = Assert.Single(run.GetProperty("results").EnumerateArray());
        Assert.Equal("posthog-personal-api-key", sarifResult.GetProperty("ruleId").GetString());
        Assert.Equal(1, sarifResult.GetProperty("locations")[0].GetProperty("physicalLocation").GetProperty("region").GetProperty("startLine").GetInt32());
        Tool.AssertNoTokenLeaked(new ToolResult(0, File.ReadAllText(output), string.Empty));
    }

    [Fact]
    public void Scan_RepositoryWithASubmodule_SaysTheSubmoduleIsNotScanned()
    {
        using var inner = new GitRepo();
        inner.Write("inner.txt", "inside\n");
        inner.Commit("inner");
        using var repo = new GitRepo();
        repo.Write("a.txt", "outside\n");
        repo.Commit("outer");
        repo.Git("-c", "protocol.file.allow=always", "submodule", "add", "-q", inner.Root, "vendor/lib");

        var result = Tool.Run(repo.Root, "scan", ".");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("submodule vendor/lib is not scanned", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("hogguard scan vendor/lib", result.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Scan_FileWithANonUtf8Name_IsReadByTheBytesOfItsName(bool git)
    {
        // Such files used to be skipped without a word in tree and staged scans.
        using var repo = new GitRepo(init: git);
        var key = Tokens.New("phx_");
        using (var make = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("sh", ["-c", $"printf 'POSTHOG_KEY={key}\\n' > \"$(printf 'caf\\351.env')\""]) { WorkingDirectory = repo.Root })!)
        {
            make.WaitForExit();
            Assert.Equal(0, make.ExitCode);
        }

        var result = git ? Tool.Run(repo.Root, "scan", ".", "--format", "json") : Tool.Run(repo.Root, "scan", ".", "--no-git", "--format", "json");

        Assert.True(result.ExitCode == 1, result.ToString());
        var finding = Report.Parse(result).ByFingerprint(HogGuard.Testing.TestTokens.Sha256Prefix(key));
        Assert.Contains("caf\uFFFD.env", finding.GetRawText(), StringComparison.Ordinal);
    }
}
