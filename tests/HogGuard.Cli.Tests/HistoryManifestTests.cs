using System.Diagnostics;
using System.Text.Json;
using HogGuard.Cli.Tests.Infrastructure;

namespace HogGuard.Cli.Tests;

/// <summary>
/// Builds a repository with bench/make-history-repo.py (vendored from the team's shared bench folder) and checks the history scan
/// against its manifest: every planted token found exactly once, at the commit that planted it,
/// and nothing else reported as a secret.
/// </summary>
public sealed class HistoryManifestTests
{
    [Fact]
    public void History_GeneratedRepository_FindsEveryPlantedTokenOnceAtItsCommit()
    {
        using var work = new GitRepo(init: false);
        var repoPath = Path.Combine(work.Root, "history");
        var manifestPath = Path.Combine(work.Root, "manifest.json");
        RunPython(FindGenerator(), repoPath, "--commits", "400", "--plant", "30", "--manifest", manifestPath);
        using var manifest = JsonDocument.Parse(File.ReadAllText(manifestPath));
        var planted = manifest.RootElement.GetProperty("planted").EnumerateArray().ToList();
        foreach (var entry in planted)
        {
            Tokens.Remember(entry.GetProperty("token").GetString()!);
        }

        var result = Tool.Run(work.Root, "scan", repoPath, "--history", "--format", "json");

        Assert.Equal(1, result.ExitCode);
        var report = Report.Parse(result);
        var tokenFindings = report.Findings.Where(f => f.GetProperty("rule").GetString()!.StartsWith("posthog-", StringComparison.Ordinal)
            && f.GetProperty("kind").GetString() != "setting").ToList();
        Assert.Equal(planted.Count, tokenFindings.Count);
        var messages = CommitMessages(repoPath);
        foreach (var entry in planted)
        {
            var finding = report.ByFingerprint(entry.GetProperty("sha256_12").GetString()!);
            var earliest = finding.GetProperty("locations").EnumerateArray()
                .OrderBy(l => DateTimeOffset.Parse(l.GetProperty("date").GetString()!, System.Globalization.CultureInfo.InvariantCulture)).First();
            Assert.Equal($"change {entry.GetProperty("commit_index").GetInt32()}", messages[earliest.GetProperty("commit").GetString()!]);
            Assert.Equal(entry.GetProperty("path").GetString(), earliest.GetProperty("path").GetString());
        }
    }

    private static Dictionary<string, string> CommitMessages(string repo)
    {
        var output = GitRepo.RunGit(repo, null, "log", "--all", "--format=%H %s").Output;
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ', 2)).ToDictionary(p => p[0], p => p[1]);
    }

    private static string FindGenerator()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "bench", "make-history-repo.py");
            if (File.Exists(Path.Combine(dir.FullName, "HogGuard.slnx")) && File.Exists(candidate))
            {
                return Path.GetFullPath(candidate);
            }
        }

        throw new FileNotFoundException("bench/make-history-repo.py not found above the test assembly; run the tests from a checkout of the repository");
    }

    private static void RunPython(params string[] args)
    {
        var info = new ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var error = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, error.Result);
    }
}
