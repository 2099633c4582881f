using System.IO.Compression;
using System.Text;
using HogGuard.Detection;
using HogGuard.Testing;

namespace HogGuard.Tests.Detection;

public sealed class ArchiveReaderTests
{
    private static readonly Random Random = new(31);

    private static byte[] Zip(IEnumerable<(string Name, string Content)> members)
    {
        using var output = new MemoryStream();
        using (var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, content) in members)
            {
                using var entry = zip.CreateEntry(name).Open();
                entry.Write(Encoding.UTF8.GetBytes(content));
            }
        }

        return output.ToArray();
    }

    private static (List<Finding> Findings, List<string> Notes) Scan(byte[] content, ArchiveLimits? limits, string path = "a.zip")
    {
        var sink = new FindingSet();
        using var stream = new MemoryStream(content);
        new ContentScanner(sink, limits).Scan(stream, -1, path);
        return (FindingSet.Merge(sink.Hits), [.. sink.Notes]);
    }

    [Fact]
    public void MemberLimit_StopsTheArchive_WithANote()
    {
        var tokens = Enumerable.Range(0, 10).Select(_ => TestTokens.Make("phx_", true, Random)).ToList();
        var zip = Zip(tokens.Select((t, i) => ($"m{i}.txt", $"k={t}\n")));

        var (findings, notes) = Scan(zip, ArchiveLimits.Default with { MaxMembers = 4 });

        Assert.Equal(4, findings.Count);
        Assert.Equal(["a.zip: stopped after 4 members (the limit per archive); the rest were not scanned"], notes);
    }

    [Fact]
    public void MemberNames_WithControlCharacters_AreLabelsWithoutThem()
    {
        var token = TestTokens.Make("phs_", true, Random);
        var (findings, _) = Scan(Zip([("evil\nname\u001b[31m.txt", $"k={token}\n")]), ArchiveLimits.Default);

        Assert.Equal("a.zip!evil?name?[31m.txt", Assert.Single(Assert.Single(findings).Locations).Path);
    }

    [Fact]
    public void WithoutLimits_AnArchiveIsBinaryContent()
    {
        var token = TestTokens.Make("phx_", true, Random);
        var (findings, notes) = Scan(Zip([("x.txt", $"k={token}\n")]), limits: null);

        Assert.Empty(findings);
        Assert.Empty(notes);
    }

    [Fact]
    public void StoredMember_ReadsTheSameAsDeflated()
    {
        var token = TestTokens.Make("phx_", true, Random);
        using var output = new MemoryStream();
        using (var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            using var entry = zip.CreateEntry("plain.txt", CompressionLevel.NoCompression).Open();
            entry.Write(Encoding.UTF8.GetBytes($"k={token}\n"));
        }

        var (findings, _) = Scan(output.ToArray(), ArchiveLimits.Default, "lib.nupkg");

        Assert.Equal("lib.nupkg!plain.txt", Assert.Single(Assert.Single(findings).Locations).Path);
    }
}
