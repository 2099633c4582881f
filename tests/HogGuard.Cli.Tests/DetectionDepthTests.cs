using HogGuard.Cli.Tests.Infrastructure;

namespace HogGuard.Cli.Tests;

/// <summary>Where secrets hide beyond a plainly written token: env files judged by what they hold, one blob at many paths, unreachable objects.</summary>
public sealed class DetectionDepthTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void CommittedEnvFile_WithOnlyPublicValues_IsMedium_WithASecretHigh(bool history)
    {
        using var repo = new GitRepo();
        var project = Tokens.New("phc_");
        repo.Write("web/.env.local", $"POSTHOG_PROJECT_TOKEN={project}\nPOSTHOG_HOST=https://eu.i.posthog.com\n");
        repo.Commit("public settings only");
        string[] args = history ? ["scan", ".", "--history", "--format", "json"] : ["scan", ".", "--format", "json"];

        var publicOnly = Tool.Run(repo.Root, args);

        Assert.True(publicOnly.ExitCode == 0, publicOnly.ToString());
        var env = Report.Parse(publicOnly).Single("env-file-committed");
        Assert.Equal("medium", env.GetProperty("severity").GetString());
        Assert.Equal($"holds only public values: {project[..4]}...{project[^4..]}", env.GetProperty("detail").GetString());

        repo.Write("api/.env", $"POSTHOG_PERSONAL_API_KEY={Tokens.New("phx_")}\n");
        repo.Commit("a secret");
        var withSecret = Tool.Run(repo.Root, args);

        Assert.Equal(1, withSecret.ExitCode);
        var findings = Report.Parse(withSecret).Findings.Where(f => f.GetProperty("rule").GetString() == "env-file-committed").ToList();
        Assert.Equal(2, findings.Count);
        Assert.Contains(findings, f => f.GetProperty("severity").GetString() == "high" && f.GetProperty("locations")[0].GetProperty("path").GetString() == "api/.env");
        Assert.Contains(findings, f => f.GetProperty("severity").GetString() == "medium" && f.GetProperty("locations")[0].GetProperty("path").GetString() == "web/.env.local");
    }
}

/// <summary>One blob, many paths: history lists every path the content was ever written at, and with --all-commits every commit.</summary>
public sealed class OneBlobManyPathsTests
{
    [Fact]
    public void History_ListsEveryPathOfOneBlob_EachWithItsFirstCommit_AndAllCommitsListsEveryWrite()
    {
        using var repo = new GitRepo();
        var token = Tokens.New("phx_");
        var content = $"POSTHOG_PERSONAL_API_KEY={token}\n";
        repo.Write("a/one.env", content);
        var first = repo.Commit("one");
        repo.Write("b/two.env", content);
        var second = repo.Commit("two");
        repo.Write("c/three.env", content);
        var third = repo.Commit("three");
        repo.Delete("a/one.env");
        repo.Commit("removed one");
        repo.Write("a/one.env", content);
        var again = repo.Commit("one again");

        var result = Tool.Run(repo.Root, "scan", ".", "--history", "--format", "json");
        var every = Tool.Run(repo.Root, "scan", ".", "--history", "--all-commits", "--format", "json");

        var finding = Report.Parse(result).ByFingerprint(HogGuard.Testing.TestTokens.Sha256Prefix(token));
        var locations = finding.GetProperty("locations").EnumerateArray().Select(l => (l.GetProperty("path").GetString(), l.GetProperty("commit").GetString())).ToList();
        Assert.Equal([("a/one.env", first), ("b/two.env", second), ("c/three.env", third)], locations);
        var envFiles = Report.Parse(result).Findings.Where(f => f.GetProperty("rule").GetString() == "env-file-committed")
            .Select(f => f.GetProperty("locations")[0].GetProperty("path").GetString()).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(["a/one.env", "b/two.env", "c/three.env"], envFiles);

        var all = Report.Parse(every).ByFingerprint(HogGuard.Testing.TestTokens.Sha256Prefix(token)).GetProperty("locations").EnumerateArray()
            .Select(l => (l.GetProperty("path").GetString(), l.GetProperty("commit").GetString())).ToList();
        Assert.Equal([("a/one.env", first), ("b/two.env", second), ("c/three.env", third), ("a/one.env", again)], all);
    }
}

/// <summary><c>audit append</c> reads the PostHog security checklist's own entry shape (userId) as well as HogGuard's (user_id).</summary>
public sealed class AuditEntryShapeTests
{
    [Fact]
    public void Append_TakesTheChecklistsCamelCaseEntries_AndRefusesTwoDifferentUserIds()
    {
        using var folder = new GitRepo(init: false);
        const string Checklist = "{\"timestamp\":\"2026-11-30T10:00:00Z\",\"action\":\"api_key.rotated\",\"userId\":\"ops@example.com\",\"resource\":\"personal_api_key/ci\",\"result\":\"success\",\"metadata\":{\"reason\":\"scheduled\"}}";
        const string Conflicting = "{\"action\":\"a\",\"userId\":\"one\",\"user_id\":\"two\",\"resource\":\"r\",\"result\":\"success\"}";

        var appended = Tool.RunWithInput(folder.Root, Checklist + "\n", "audit", "append", "log");
        var tail = Tool.Run(folder.Root, "audit", "tail", "log");
        var refused = Tool.RunWithInput(folder.Root, Conflicting + "\n", "audit", "append", "log");

        Assert.True(appended.ExitCode == 0, appended.ToString());
        Assert.Contains("\"user_id\":\"ops@example.com\"", tail.Stdout, StringComparison.Ordinal);
        Assert.Contains("\"action\":\"api_key.rotated\"", tail.Stdout, StringComparison.Ordinal);
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("'user_id' and 'userId' differ", refused.Stderr, StringComparison.Ordinal);
        Assert.StartsWith("ok: 1 entries", Tool.Run(folder.Root, "audit", "verify", "log").Stdout, StringComparison.Ordinal);
    }
}

/// <summary>--history covers refs/stash and notes; --unreachable adds what no ref reaches: reflog-only commits and dangling blobs.</summary>
public sealed class UnreachableTests
{
    [Fact]
    public void ResetAwaySecret_IsFoundOnlyWithUnreachable_AtItsReflogEntry_AndADanglingBlobAsDangling()
    {
        using var repo = new GitRepo();
        repo.Write("readme.txt", "hello\n");
        repo.Commit("base");
        var leaked = Tokens.New("phx_");
        repo.Write("deploy/leak.env", $"POSTHOG_PERSONAL_API_KEY={leaked}\n");
        var leakCommit = repo.Commit("oops");
        repo.Git("reset", "-q", "--hard", "HEAD~1");
        var dangling = Tokens.New("phs_");
        repo.GitWithInput($"POSTHOG_SECRET_KEY={dangling}\n", "hash-object", "-w", "--stdin");

        var reachable = Tool.Run(repo.Root, "scan", ".", "--history", "--format", "json");
        var all = Tool.Run(repo.Root, "scan", ".", "--history", "--unreachable", "--format", "json");

        Assert.True(reachable.ExitCode == 0, reachable.ToString());
        Assert.Equal(1, all.ExitCode);
        var report = Report.Parse(all);
        var fromReflog = report.ByFingerprint(HogGuard.Testing.TestTokens.Sha256Prefix(leaked)).GetProperty("locations")[0];
        Assert.Equal("deploy/leak.env", fromReflog.GetProperty("path").GetString());
        Assert.Equal(leakCommit, fromReflog.GetProperty("commit").GetString());
        Assert.Matches(@"^reflog (HEAD|refs/heads/main)@\{\d+\}$", fromReflog.GetProperty("unreachable").GetString());
        var loose = report.ByFingerprint(HogGuard.Testing.TestTokens.Sha256Prefix(dangling)).GetProperty("locations")[0];
        Assert.Equal("dangling", loose.GetProperty("unreachable").GetString());
        Assert.StartsWith("(unreachable blob ", loose.GetProperty("path").GetString(), StringComparison.Ordinal);

        var text = Tool.Run(repo.Root, "scan", ".", "--history", "--unreachable");
        Assert.Contains("[unreachable: dangling]", text.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void StashAndNotes_AreCoveredByHistory()
    {
        using var repo = new GitRepo();
        repo.Write("app.txt", "v1\n");
        var head = repo.Commit("base");
        var stashed = Tokens.New("phx_");
        repo.Write("app.txt", $"key={stashed}\n");
        repo.Git("stash", "-q");
        var noted = Tokens.New("phs_");
        repo.Git("notes", "add", "-m", $"deploy with {noted}", head);

        var result = Tool.Run(repo.Root, "scan", ".", "--history", "--format", "json");

        Assert.Equal(1, result.ExitCode);
        var report = Report.Parse(result);
        report.ByFingerprint(HogGuard.Testing.TestTokens.Sha256Prefix(stashed));
        report.ByFingerprint(HogGuard.Testing.TestTokens.Sha256Prefix(noted));
    }
}

/// <summary>UTF-32 text (with or without a byte order mark) is decoded and scanned, in a tree and in history.</summary>
public sealed class Utf32Tests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Utf32File_IsScanned(bool history)
    {
        using var repo = new GitRepo();
        var token = Tokens.New("phs_");
        var text = $"# exported\nPOSTHOG_SECRET_KEY={token}\n";
        File.WriteAllBytes(Path.Combine(repo.Root, "export.txt"), [0xFF, 0xFE, 0x00, 0x00, .. new System.Text.UTF32Encoding(false, false).GetBytes(text)]);
        repo.Commit("utf-32 export");

        var result = Tool.Run(repo.Root, history ? ["scan", ".", "--history", "--format", "json"] : ["scan", ".", "--format", "json"]);

        Assert.Equal(1, result.ExitCode);
        var location = Report.Parse(result).ByFingerprint(HogGuard.Testing.TestTokens.Sha256Prefix(token)).GetProperty("locations")[0];
        Assert.Equal(2, location.GetProperty("line").GetInt32());
    }
}
