using System.Text;
using HogGuard.Detection;

namespace HogGuard.Tests.Detection;

public sealed class AnchorSearchTests
{
    [Fact]
    public void Anchors_AreTheFixedBase64FormsOfPh_OnceAndTwice()
    {
        var pairs = AnchorSearch.All.Select(a => $"{(char)a.First}{(char)a.Second}:{a.Family}").ToList();
        Assert.Contains("ph:Plain", pairs);
        Assert.Contains("%7:Escape", pairs);
        Assert.Contains("\\u:Escape", pairs);
        // "ph" at byte 0, 1 and 2 of a 3-byte group: cGh..., ??Bo..., ???waH (or waG, by kind), searched as aH and aG.
        Assert.Contains("cG:Base64", pairs);
        Assert.Contains("Bo:Base64", pairs);
        Assert.Contains("aH:Base64", pairs);
        Assert.Contains("aG:Base64", pairs);
        Assert.DoesNotContain("wa:Base64", pairs);
        Assert.Equal(9, pairs.Count(p => p.EndsWith(":Base64Twice", StringComparison.Ordinal)));
        // Every once-encoded anchor really is how "ph" encodes at its alignment.
        foreach (var anchor in AnchorSearch.All.Where(a => a.Family == AnchorFamily.Base64))
        {
            var forms = new[] { "phx_", "phs_", "pha_", "phr_", "phc_" }.Select(p => Convert.ToBase64String([.. new byte[anchor.Alignment], .. Encoding.ASCII.GetBytes(p)]).Substring(anchor.GroupOffset, 2));
            Assert.Contains($"{(char)anchor.First}{(char)anchor.Second}", forms);
        }
    }

    [Fact]
    public void ForEach_FindsAnAnchorAtEveryPositionAndLength_InVectorBlocksAndTheTail()
    {
        foreach (var pair in new[] { "ph", "aH", "\\u", "Y0" })
        {
            for (var length = 2; length < 80; length++)
            {
                for (var at = 0; at + 2 <= length; at++)
                {
                    var data = Enumerable.Repeat((byte)' ', length).ToArray();
                    Encoding.ASCII.GetBytes(pair).CopyTo(data, at);
                    var visitor = new Collect([]);
                    AnchorSearch.ForEach(data, data.Length, ref visitor);
                    Assert.Equal([at], visitor.Seen);
                }
            }
        }
    }

    [Fact]
    public void ForEach_StopsAtEnd_AndSkipsWhatTheVisitorTook()
    {
        var data = Encoding.ASCII.GetBytes(new string(' ', 10) + "ph ph ph" + new string(' ', 60) + "ph");
        var all = new Collect([]);
        AnchorSearch.ForEach(data, data.Length, ref all);
        Assert.Equal([10, 13, 16, 78], all.Seen);
        var bounded = new Collect([]);
        AnchorSearch.ForEach(data, 14, ref bounded);
        Assert.Equal([10, 13], bounded.Seen);
        var skipping = new Collect([], Skip: 5);
        AnchorSearch.ForEach(data, data.Length, ref skipping);
        Assert.Equal([10, 16, 78], skipping.Seen);
    }

    private readonly struct Collect(List<int> seen, int Skip = 0) : IAnchorVisitor
    {
        public List<int> Seen => seen;

        public int Visit(ReadOnlySpan<byte> data, int i)
        {
            seen.Add(i);
            return i + Math.Max(1, Skip);
        }
    }
}
