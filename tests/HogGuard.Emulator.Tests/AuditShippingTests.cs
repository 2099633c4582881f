using System.Net.Http.Json;
using System.Text.Json;
using HogGuard.Audit;
using HogGuard.PostHogApi;

namespace HogGuard.Emulator.Tests;

/// <summary>Shipping the audit log to the emulator through faults: what PostHog received equals what was written.</summary>
public sealed class AuditShippingTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("hogguard-ship-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private async Task<List<Guid>> WriteAsync(int count, int start)
    {
        await using var log = new FileAuditLog(new AuditLogOptions { Directory = _dir, MaxSegmentBytes = 4000 });
        var stored = await Task.WhenAll(Enumerable.Range(start, count).Select(i =>
            log.WriteAsync(new AuditEntry(DateTimeOffset.UtcNow, "key.rotated", $"user-{i % 3}", $"key/{i}", AuditOutcome.Success))));
        return [.. stored.Select(s => s.Uuid)];
    }

    private static async Task<HashSet<Guid>> Received(RunningEmulator emulator)
    {
        var events = await emulator.Http.GetFromJsonAsync<JsonElement>("/_emulator/events");
        return [.. events.EnumerateArray().Select(e => Guid.Parse(e.GetProperty("uuid").GetString()!))];
    }

    private AuditShipper Shipper(RunningEmulator emulator, HttpClient http) =>
        new(_dir, new PostHogClient(http, new PostHogClientOptions { BaseDelay = TimeSpan.FromMilliseconds(20), AttemptTimeout = TimeSpan.FromSeconds(5), MaxRetries = 4 }), emulator.Address, emulator.ProjectToken, batchSize: 10);

    [Fact]
    public async Task Ship_Through500s429sAndDroppedConnections_DeliversExactlyTheWrittenSet()
    {
        await using var emulator = await RunningEmulator.StartAsync();
        var written = await WriteAsync(45, 1);
        using (var set = await emulator.Http.PutAsJsonAsync("/_emulator/faults", new object[]
        {
            new { route = "/batch", status = 500, count = 2 },
            new { route = "/batch", drop = true, count = 1 },
            new { route = "/batch", status = 429, retry_after_seconds = 1, count = 1 },
        }))
        {
            Assert.Equal(204, (int)set.StatusCode);
        }

        using var http = new HttpClient();
        var shipper = Shipper(emulator, http);
        var (shipped, failure) = await shipper.ShipOnceAsync();

        Assert.Null(failure);
        Assert.Equal(45, shipped);
        Assert.Equal(written.ToHashSet(), await Received(emulator));
        Assert.Equal(0, shipper.Lag);
    }

    [Fact]
    public async Task Ship_StoppedByAnOutageThenRestarted_LosesNoneAndResendsNoneConfirmed()
    {
        await using var emulator = await RunningEmulator.StartAsync();
        using var http = new HttpClient();
        var first = await WriteAsync(25, 1);
        Assert.Equal((25L, (ApiResult<bool>?)null), await Shipper(emulator, http).ShipOnceAsync());

        var second = await WriteAsync(25, 26);
        using (var outage = await emulator.Http.PutAsJsonAsync("/_emulator/faults", new object[] { new { route = "/batch", status = 503, count = 0 } }))
        {
            Assert.Equal(204, (int)outage.StatusCode);
        }

        var (during, failure) = await Shipper(emulator, http).ShipOnceAsync();
        Assert.Equal(0, during);
        Assert.Equal(ApiOutcome.Unreachable, failure!.Outcome);
        Assert.Equal(25, Shipper(emulator, http).Lag);

        using (var clear = await emulator.Http.PutAsJsonAsync("/_emulator/faults", Array.Empty<object>()))
        {
            Assert.Equal(204, (int)clear.StatusCode);
        }

        var restarted = Shipper(emulator, http);
        var (after, none) = await restarted.ShipOnceAsync();

        Assert.Null(none);
        Assert.Equal(25, after);
        Assert.Equal(first.Concat(second).ToHashSet(), await Received(emulator));
        Assert.Equal(50, restarted.Cursor);
    }
}
