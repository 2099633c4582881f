using HogGuard.Audit;

namespace HogGuard.Tests.Audit;

public sealed class AuditUuidTests
{
    [Fact]
    public void NewVersion7_IsVersion7VariantRfc_CarriesTheMillisecond_AndIsUnique()
    {
        var at = new DateTimeOffset(2026, 11, 28, 0, 0, 0, 123, TimeSpan.Zero);
        var ids = Enumerable.Range(0, 100_000).Select(_ => AuditUuid.NewVersion7(at)).ToList();

        Assert.Equal(ids.Count, ids.Distinct().Count());
        foreach (var id in ids.Take(1000))
        {
            Assert.Equal(7, id.Version);
            Assert.Equal(0b10, id.Variant >> 2);
            var text = id.ToString("N");
            Assert.Equal(at.ToUnixTimeMilliseconds(), Convert.ToInt64(text[..12], 16));
        }

        // Time-ordered: a later millisecond sorts after, as text and as bytes.
        var later = AuditUuid.NewVersion7(at.AddMilliseconds(1));
        Assert.True(string.CompareOrdinal(later.ToString(), ids[^1].ToString()) > 0);
        Assert.True(later.CompareTo(ids[^1]) > 0);
    }
}
