using System.Text;
using HogGuard.Audit;

namespace HogGuard.Tests.Audit;

/// <summary>Every kind of tampering is reported with the right sequence number.</summary>
public sealed class AuditTamperTests : IDisposable
{
    private static readonly byte[] Key = Encoding.UTF8.GetBytes("tamper-test-key");
    private readonly string _dir = Directory.CreateTempSubdirectory("hogguard-tamper-").FullName;

    public AuditTamperTests()
    {
        var options = new AuditLogOptions { Directory = _dir, MaxSegmentBytes = 1500, CheckpointKey = Key };
        var log = new FileAuditLog(options);
        for (var i = 1; i <= 20; i++)
        {
            log.WriteAsync(new AuditEntry(DateTimeOffset.UnixEpoch.AddDays(20000).AddSeconds(i), "a", "u", $"r{i}", AuditOutcome.Success)).GetAwaiter().GetResult();
        }

        log.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string[] Segments => [.. Directory.GetFiles(_dir, "audit-*.jsonl").Order(StringComparer.Ordinal)];

    private static List<string> Lines(string path) => [.. File.ReadAllText(path).Split('\n', StringSplitOptions.RemoveEmptyEntries)];

    private static void Save(string path, List<string> lines) => File.WriteAllText(path, string.Join("", lines.Select(l => l + "\n")));

    private (long? Sequence, AuditTampering Problem) Verify()
    {
        var result = AuditVerifier.Verify(_dir, Key);
        return (result.FirstBadSequence, result.Problem);
    }

    private long FirstSequenceOf(string path) => long.Parse(Path.GetFileNameWithoutExtension(path)[6..], System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public void Untouched_IsIntact() => Assert.Equal((null, AuditTampering.None), Verify());

    [Fact]
    public void OneByteEdited_IsReportedAtThatEntry()
    {
        var segment = Segments[1];
        var lines = Lines(segment);
        lines[1] = lines[1].Replace("\"resource\":\"r", "\"resource\":\"R", StringComparison.Ordinal);
        Save(segment, lines);
        Assert.Equal((FirstSequenceOf(segment) + 1, AuditTampering.Edited), Verify());
    }

    [Fact]
    public void LineDeleted_IsReportedAsMissing()
    {
        var segment = Segments[1];
        var lines = Lines(segment);
        lines.RemoveAt(1);
        Save(segment, lines);
        Assert.Equal((FirstSequenceOf(segment) + 1, AuditTampering.Missing), Verify());
    }

    [Fact]
    public void TwoLinesSwapped_AreReportedAsReordered()
    {
        var segment = Segments[1];
        var lines = Lines(segment);
        (lines[0], lines[1]) = (lines[1], lines[0]);
        Save(segment, lines);
        Assert.Equal((FirstSequenceOf(segment), AuditTampering.Reordered), Verify());
    }

    [Fact]
    public void TailOfAClosedSegmentCut_IsReportedAsTruncated()
    {
        var segment = Segments[1];
        var lines = Lines(segment);
        var cutAt = FirstSequenceOf(segment) + lines.Count - 1;
        lines.RemoveAt(lines.Count - 1);
        Save(segment, lines);
        Assert.Equal((cutAt, AuditTampering.Truncated), Verify());
    }

    [Fact]
    public void SegmentDeleted_IsReportedWithItsFirstSequence()
    {
        var segment = Segments[1];
        var first = FirstSequenceOf(segment);
        File.Delete(segment);
        Assert.Equal((first, AuditTampering.SegmentDeleted), Verify());
    }

    [Fact]
    public void CheckpointRewrittenWithoutTheKey_IsForged()
    {
        var path = Path.Combine(_dir, "checkpoints.jsonl");
        var lines = Lines(path);
        lines[0] = lines[0].Replace("\"mac\":\"", "\"mac\":\"0", StringComparison.Ordinal);
        Save(path, lines);
        Assert.Equal(AuditTampering.CheckpointForged, Verify().Problem);
    }

    /// <summary>What a forger without the key can do: rewrite entries and recompute every hash.</summary>
    private List<(string Segment, byte[] Line)> Reseal(Func<AuditEntry, AuditEntry> edit)
    {
        var resealed = new List<(string, byte[])>();
        var previous = AuditLineFormat.Genesis;
        foreach (var segment in Segments)
        {
            foreach (var line in Lines(segment))
            {
                var stored = AuditLineFormat.Decode(Encoding.UTF8.GetBytes(line))!.Value.Entry;
                var (sealedLine, hash) = AuditLineFormat.Seal(AuditLineFormat.EncodeBody(edit(stored.Entry), stored.Uuid), stored.Sequence, previous);
                resealed.Add((segment, sealedLine));
                previous = hash;
            }
        }

        return resealed;
    }

    [Fact]
    public void ResealingWithoutAnEdit_ChangesNothing_SoTheForgeriesBelowAreRealOnes()
    {
        var before = Segments.Select(File.ReadAllBytes).ToList();
        var resealed = Reseal(e => e);

        Assert.Equal(before.SelectMany(b => b), resealed.SelectMany(r => r.Line));
    }

    [Fact]
    public void EntryEditedWithEveryHashRecomputed_AndTheCheckpointsDeleted_IsCaught()
    {
        var forged = Reseal(e => e.Resource == "r3" ? e with { Resource = "nothing to see" } : e);
        foreach (var group in forged.GroupBy(f => f.Segment))
        {
            File.WriteAllBytes(group.Key, [.. group.SelectMany(f => f.Line)]);
        }

        File.Delete(Path.Combine(_dir, "checkpoints.jsonl"));

        Assert.NotEqual(AuditTampering.None, Verify().Problem);
    }

    [Fact]
    public void AllSegmentsMergedIntoOne_WithAnEditAndHashesRecomputed_IsCaught()
    {
        // One active segment needs no checkpoint: only the signed head still knows the true chain.
        var forged = Reseal(e => e.Resource == "r17" ? e with { Resource = "nothing to see" } : e);
        foreach (var segment in Segments)
        {
            File.Delete(segment);
        }

        File.WriteAllBytes(Path.Combine(_dir, "audit-000000000001.jsonl"), [.. forged.SelectMany(f => f.Line)]);
        File.Delete(Path.Combine(_dir, "checkpoints.jsonl"));

        Assert.Equal(AuditTampering.Edited, Verify().Problem);
    }

    [Fact]
    public void ActiveSegmentTailCut_IsTruncation_WithAndWithoutTheKey()
    {
        var active = Segments[^1];
        var lines = Lines(active);
        lines.RemoveAt(lines.Count - 1);
        Save(active, lines);

        Assert.Equal((20, AuditTampering.Truncated), Verify());
        Assert.Equal(AuditTampering.Truncated, AuditVerifier.Verify(_dir).Problem);
    }

    [Fact]
    public void HeadDeleted_IsCaughtWithTheKey()
    {
        File.Delete(Path.Combine(_dir, "head.json"));

        Assert.Equal(AuditTampering.HeadMissing, Verify().Problem);
    }

    [Fact]
    public void CheckpointCopiedIntoTheHead_DoesNotPassForAHead()
    {
        // A checkpoint's HMAC signs another message than a head's: truncating to a segment's end fails.
        var checkpoint = File.ReadAllLines(Path.Combine(_dir, "checkpoints.jsonl"))[0];
        File.WriteAllText(Path.Combine(_dir, "head.json"), checkpoint);

        Assert.Equal(AuditTampering.CheckpointForged, Verify().Problem);
    }
}
