using System.Net;
using System.Text;
using HogGuard.Audit;
using HogGuard.PostHogApi;

namespace HogGuard.Tests.Audit;

/// <summary>
/// The shipper against capture's answers as <c>rust/capture/src/api.rs</c> gives them, through a plain
/// handler: a batch holding one event capture refuses is a 400 for the whole request.
/// </summary>
public sealed class AuditShipperRefusalTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("hogguard-ship-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>Capture that refuses any batch holding one of <paramref name="refusedSequences"/>, and records what it accepted.</summary>
    private sealed class Capture(params long[] refusedSequences) : HttpMessageHandler
    {
        public List<long> Accepted { get; } = [];

        public int Requests { get; private set; }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Requests++;
            using var body = System.Text.Json.JsonDocument.Parse(await request.Content!.ReadAsStringAsync(cancellationToken));
            var sequences = body.RootElement.GetProperty("batch").EnumerateArray().Select(e => e.GetProperty("properties").GetProperty("sequence").GetInt64()).ToList();
            if (sequences.Any(refusedSequences.Contains))
            {
                return new HttpResponseMessage(HttpStatusCode.BadRequest) { Content = new StringContent("No distinct_id in request", Encoding.UTF8, "text/plain") };
            }

            Accepted.AddRange(sequences);
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("{\"status\":\"Ok\"}", Encoding.UTF8, "application/json") };
        }
    }

    private async Task WriteAsync(int count)
    {
        await using var log = new FileAuditLog(new AuditLogOptions { Directory = _dir });
        for (var i = 1; i <= count; i++)
        {
            await log.WriteAsync(new AuditEntry(DateTimeOffset.UnixEpoch.AddDays(20000).AddSeconds(i), "key.rotate", "ci", $"key/{i}", AuditOutcome.Success));
        }
    }

    private AuditShipper Shipper(HttpMessageHandler handler, int batchSize = 100) =>
        new(_dir, new PostHogClient(new HttpClient(handler), new PostHogClientOptions { MaxRetries = 0 }), new Uri("http://127.0.0.1:1/"), "phc_test", batchSize: batchSize);

    [Fact]
    public async Task Ship_OneEntryCaptureRefuses_ShipsTheOthers_ListsItAndMovesOn()
    {
        await WriteAsync(10);
        var capture = new Capture(7);

        var (shipped, failure) = await Shipper(capture, batchSize: 4).ShipOnceAsync();

        Assert.Null(failure);
        Assert.Equal(9, shipped);
        Assert.Equal([1, 2, 3, 4, 5, 6, 8, 9, 10], capture.Accepted.Order());
        Assert.Equal(10, Shipper(capture).Cursor);
        var refused = File.ReadAllLines(Path.Combine(_dir, AuditShipper.RefusedFile));
        Assert.Equal("7", Assert.Single(refused).Split('\t')[0]);
        Assert.Contains("No distinct_id in request", refused[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ship_AfterARefusal_TheNextRoundSendsNothingAgain()
    {
        await WriteAsync(3);
        var capture = new Capture(2);
        await Shipper(capture).ShipOnceAsync();
        var requests = capture.Requests;

        var (shipped, failure) = await Shipper(capture).ShipOnceAsync();

        Assert.Null(failure);
        Assert.Equal(0, shipped);
        Assert.Equal(requests, capture.Requests);
    }

    [Fact]
    public async Task Ship_LoginPageWith200_IsAFailure_AndTheCursorStays()
    {
        await WriteAsync(3);
        var html = new Html();

        var (shipped, failure) = await Shipper(html).ShipOnceAsync();

        Assert.Equal(0, shipped);
        Assert.NotNull(failure);
        Assert.Contains("an HTML page", failure.Detail, StringComparison.Ordinal);
        Assert.Equal(0, Shipper(html).Cursor);
    }

    private sealed class Html : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("<!DOCTYPE html><html><body>Log in</body></html>", Encoding.UTF8, "text/html") });
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    public async Task Write_EntryWithoutUserId_IsRefusedAndNothingIsWritten(string user)
    {
        await using var log = new FileAuditLog(new AuditLogOptions { Directory = _dir });

        var error = await Assert.ThrowsAsync<ArgumentException>(() => log.WriteAsync(new AuditEntry(DateTimeOffset.UtcNow, "key.rotate", user, "key/1", AuditOutcome.Success)));

        Assert.Contains("distinct_id", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, log.LastSequence);
    }
}
