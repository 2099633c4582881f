using System.Text;
using HogGuard.Cli.Tests.Infrastructure;
using HogGuard.Sources.Packs;

namespace HogGuard.Cli.Tests;

/// <summary>The managed pack reader against git itself: every blob, byte for byte, with OFS and REF deltas and loose objects.</summary>
public sealed class PackReaderTests
{
    private static GitRepo HistoryWithDeltas()
    {
        var repo = new GitRepo();
        var random = new Random(3);
        var lines = Enumerable.Range(0, 400).Select(i => $"line {i} {random.Next()}").ToList();
        for (var commit = 0; commit < 60; commit++)
        {
            for (var edit = 0; edit < 5; edit++)
            {
                lines[random.Next(lines.Count)] = $"edited {commit} {random.Next()}";
            }

            lines.Insert(random.Next(lines.Count), $"inserted {commit}");
            repo.Write("src/big.txt", string.Join('\n', lines) + "\n");
            repo.Write($"notes/{commit % 7}.md", $"note {commit}\n{string.Join('\n', lines.Take(commit))}\n");
            repo.Commit($"commit {commit}");
        }

        return repo;
    }

    private static Dictionary<string, byte[]> BlobsFromGit(GitRepo repo)
    {
        var ids = repo.Git("cat-file", "--batch-all-objects", "--batch-check=%(objectname) %(objecttype)")
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(' '))
            .Where(p => p[1] == "blob")
            .Select(p => p[0])
            .ToList();
        return ids.ToDictionary(id => id, id => Encoding.Latin1.GetBytes(repo.Git("cat-file", "blob", id)));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void EveryBlob_ReadsAsGitReadsIt(bool offsetDeltas)
    {
        using var repo = HistoryWithDeltas();
        repo.Git("-c", $"repack.useDeltaBaseOffset={(offsetDeltas ? "true" : "false")}", "repack", "-adf", "-q", "--depth=50", "--window=20");
        repo.Write("loose.txt", "written after the repack\n");
        repo.Commit("a loose object");
        var expected = BlobsFromGit(repo);

        using var store = PackRepository.Open(Path.Combine(repo.Root, ".git"), new DeltaBaseCache(1 << 20));

        Assert.NotNull(store);
        var deltas = repo.Git("verify-pack", "-v", Directory.GetFiles(Path.Combine(repo.Root, ".git", "objects", "pack"), "*.idx").Single());
        Assert.Contains("chain length = ", deltas, StringComparison.Ordinal);
        foreach (var (id, content) in expected)
        {
            using var read = store!.ReadRented(Convert.FromHexString(id));
            Assert.True(read is not null, $"blob {id} not found");
            Assert.True(content.AsSpan().SequenceEqual(read.Span), $"blob {id} differs from git's");
        }

        var packed = store!.ObjectsInPackOrder().Where(o => o.Type == PackObjectType.Blob).Select(o => Convert.ToHexStringLower(o.Id)).ToHashSet();
        Assert.Equal(expected.Count - 1, packed.Count);
    }

    [Fact]
    public void WhatItDoesNotRead_IsRefused_SoGitReadsIt()
    {
        using var repo = new GitRepo();
        repo.Write("a.txt", "one\n");
        repo.Commit("one");
        repo.Git("repack", "-adq");
        File.WriteAllText(Path.Combine(repo.Root, ".git", "objects", "info", "alternates"), "/nonexistent/objects\n");

        Assert.Null(PackRepository.Open(Path.Combine(repo.Root, ".git"), new DeltaBaseCache(1 << 20)));

        File.Delete(Path.Combine(repo.Root, ".git", "objects", "info", "alternates"));
        var idx = Directory.GetFiles(Path.Combine(repo.Root, ".git", "objects", "pack"), "*.idx").Single();
        var bytes = File.ReadAllBytes(idx);
        bytes[7] = 9; // an index version this reader does not know
        File.SetAttributes(idx, FileAttributes.Normal);
        File.WriteAllBytes(idx, bytes);

        Assert.Null(PackRepository.Open(Path.Combine(repo.Root, ".git"), new DeltaBaseCache(1 << 20)));
    }

    [Fact]
    public void EmptyOrTruncatedPack_IsRefused_AndTheScanFallsBackToGit()
    {
        using var repo = new GitRepo();
        var token = Tokens.New("phx_");
        repo.Write("settings.py", $"KEY = \"{token}\"\n");
        repo.Commit("one");
        repo.Git("repack", "-adq");
        var packs = Path.Combine(repo.Root, ".git", "objects", "pack");
        File.WriteAllBytes(Path.Combine(packs, "pack-0000000000000000000000000000000000000000.pack"), []);
        File.WriteAllBytes(Path.Combine(packs, "pack-0000000000000000000000000000000000000000.idx"), [0xFF, (byte)'t', (byte)'O', (byte)'c']);

        Assert.Null(PackRepository.Open(Path.Combine(repo.Root, ".git"), new DeltaBaseCache(1 << 20)));
        var result = Tool.Run(repo.Root, "scan", "--history", "-f", "json");

        Assert.True(result.ExitCode == 1, result.ToString());
        Report.Parse(result).ByFingerprint(HogGuard.Testing.TestTokens.Sha256Prefix(token));
    }
}
