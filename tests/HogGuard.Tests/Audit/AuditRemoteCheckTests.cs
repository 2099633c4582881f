using System.Text.Json;
using HogGuard.Audit;

namespace HogGuard.Tests.Audit;

/// <summary>Reading PostHog's HogQL answers defensively: shapes other versions or other events may give.</summary>
public sealed class AuditRemoteCheckTests
{
    private static List<RemoteAuditEntry>? Read(string json)
    {
        using var document = JsonDocument.Parse(json);
        return AuditRemoteCheck.ReadRows(document.RootElement);
    }

    [Fact]
    public void Rows_WithTheSequenceAsANumberOrAString_AreRead()
    {
        var rows = Read("""{"results": [["u1", 1, "h1"], ["u2", "2", "h2"]], "columns": ["a", "b", "c"]}""");

        Assert.Equal([new RemoteAuditEntry(1, "u1", "h1"), new RemoteAuditEntry(2, "u2", "h2")], rows);
    }

    [Fact]
    public void Rows_OfOtherEventsWithoutASequence_AreSkipped()
    {
        var rows = Read("""{"results": [["u1", null, null], ["u2", "x", "h"], ["u3", 3, null]]}""");

        Assert.Equal([new RemoteAuditEntry(3, "u3", string.Empty)], rows);
    }

    [Theory]
    [InlineData("""{"query_status": {"complete": false}}""")]
    [InlineData("""{"results": "nope"}""")]
    [InlineData("""{"results": [["only", 1]]}""")]
    [InlineData("""[]""")]
    public void AnswersThatAreNotHogQLResults_AreNull(string json)
    {
        Assert.Null(Read(json));
    }

    [Fact]
    public void RequestBody_IsAHogQLQueryWithItsValues_AskedFresh()
    {
        using var body = JsonDocument.Parse(AuditRemoteCheck.RequestBody("audit \"x\"", 42));
        var query = body.RootElement.GetProperty("query");

        Assert.Equal("HogQLQuery", query.GetProperty("kind").GetString());
        Assert.Equal(AuditRemoteCheck.Query, query.GetProperty("query").GetString());
        Assert.Equal("audit \"x\"", query.GetProperty("values").GetProperty("event").GetString());
        Assert.Equal(42, query.GetProperty("values").GetProperty("after").GetInt64());
        Assert.Equal("force_blocking", body.RootElement.GetProperty("refresh").GetString());
    }
}
