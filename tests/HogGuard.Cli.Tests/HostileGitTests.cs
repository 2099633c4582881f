using HogGuard.Cli.Tests.Infrastructure;

namespace HogGuard.Cli.Tests;

/// <summary>
/// A git that misbehaves: a stand-in script first on PATH passes everything to the real git except
/// <c>cat-file</c>, which answers garbage and hangs, or dies. The scan must end with exit 2 and
/// git's message, never hang. (History reads blobs itself where it can; these runs ask for
/// <c>git cat-file</c>, as partial clones and <c>HOGGUARD_HISTORY_READER=git</c> do.)
/// </summary>
public sealed class HostileGitTests
{
    [Theory]
    [InlineData("echo 'not a cat-file header'; exec sleep 600", "unexpected header")]
    [InlineData("echo 'fatal: packfile is corrupt' >&2; exit 128", "fatal: packfile is corrupt")]
    [InlineData("head -c 3 >/dev/null; printf '0123456789012345678901234567890123456789 blob 1000\\nshort'; exit 0", "git cat-file")]
    public void History_CatFileMisbehaves_Exits2WithoutHanging(string behaviour, string expected)
    {
        using var repo = new GitRepo();
        repo.Write("a.txt", "one\n");
        repo.Write("b.txt", "two\n");
        repo.Commit("files");
        var bin = Path.Combine(repo.Root, ".fake-bin");
        Directory.CreateDirectory(bin);
        var realGit = GitRepo.RunGit(repo.Root, null, "--exec-path").Output.Trim() + "/git";
        var script = Path.Combine(bin, "git");
        File.WriteAllText(script, $$"""
            #!/bin/sh
            for a in "$@"; do
              if [ "$a" = "cat-file" ]; then {{behaviour}}; fi
            done
            exec '{{realGit}}' "$@"
            """.ReplaceLineEndings("\n"));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        var path = $"{bin}:{Environment.GetEnvironmentVariable("PATH")}";

        var result = Tool.RunWithEnvironment(repo.Root, null, new() { ["PATH"] = path, ["HOGGUARD_HISTORY_READER"] = "git" }, "scan", "--history");

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains(expected, result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void History_CorruptBlobInAPack_Exits2NamingTheBlob_AndGitReaderIsTheWayAround()
    {
        using var repo = new GitRepo();
        repo.Write("a.txt", string.Concat(Enumerable.Range(0, 2000).Select(i => $"line {i}\n")));
        repo.Write("b.txt", "two\n");
        repo.Commit("files");
        repo.Git("repack", "-adq");
        var blob = repo.Git("rev-parse", "HEAD:a.txt").Trim();
        var idx = Directory.GetFiles(Path.Combine(repo.Root, ".git", "objects", "pack"), "*.idx").Single();
        var offset = OffsetOf(repo, idx, blob);
        var pack = Path.ChangeExtension(idx, ".pack");
        var bytes = File.ReadAllBytes(pack);
        bytes.AsSpan((int)offset + 8, 16).Fill(0x5A); // inside the blob's deflated data
        File.SetAttributes(pack, FileAttributes.Normal);
        File.WriteAllBytes(pack, bytes);

        var result = Tool.Run(repo.Root, "scan", "--history");

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains($"could not be read at blob {blob}", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("HOGGUARD_HISTORY_READER=git", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);
    }

    /// <summary>Where a blob starts in its pack (<c>git verify-pack -v</c>: id, type, size, packed size, offset).</summary>
    private static long OffsetOf(GitRepo repo, string idx, string blob)
    {
        var (_, output, _) = GitRepo.RunGit(repo.Root, null, "verify-pack", "-v", idx);
        var line = output.Split('\n').Single(l => l.StartsWith(blob, StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[4], System.Globalization.CultureInfo.InvariantCulture);
    }

    [Theory]
    [InlineData("scan")]
    [InlineData("staged")]
    [InlineData("history")]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void Scan_NeverRunsARepositorysFsmonitorOrHooks(string mode)
    {
        // A repository's .git/config is the attacker's: its fsmonitor command must never run.
        using var repo = new GitRepo();
        repo.Write("a.txt", "hello\n");
        repo.Commit("first");
        var marker = Path.Combine(repo.Root, "..", Path.GetFileName(repo.Root) + ".pwned");
        var script = Path.Combine(repo.Root, ".git", "evil.sh");
        File.WriteAllText(script, $"#!/bin/sh\ntouch '{marker}'\nexit 1\n");
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        repo.Git("config", "core.fsmonitor", script);
        repo.Write("b.txt", "staged\n");
        repo.Git("add", "b.txt");
        File.Delete(marker);

        string[] args = mode switch { "staged" => ["scan", ".", "--staged"], "history" => ["scan", ".", "--history", "--no-progress"], _ => ["scan", "."] };
        var result = Tool.Run(repo.Root, args);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.False(File.Exists(marker), "the repository's core.fsmonitor command ran");
    }
}
