using System.IO.Compression;
using System.Net.Http.Json;
using System.Text;

namespace HogGuard.Emulator.Tests;

public sealed class FlagsAndCaptureTests
{
    [Fact]
    public async Task FlagDefinitions_WriteScopeImpliesRead_AndSecretKeyWorks()
    {
        await using var emulator = await RunningEmulator.StartAsync();
        var path = $"/flags/definitions?token={emulator.ProjectToken}&send_cohorts";

        var (withWriter, _) = await emulator.SendAsync(emulator.Get(path, RunningEmulator.Personal("flags-writer")));
        var (withSecret, _) = await emulator.SendAsync(emulator.Get(path, RunningEmulator.Secret("flags")));
        var (withReader, readerBody) = await emulator.SendAsync(emulator.Get(path, RunningEmulator.Personal("reader")));
        var (badSecret, badBody) = await emulator.SendAsync(emulator.Get(path, RunningEmulator.Secret("unknown")));

        Assert.Equal(200, withWriter);
        Assert.Equal(200, withSecret);
        Assert.Equal(403, withReader);
        // The flags service's wording, not Django's (rust/feature-flags/src/api/errors.rs).
        Assert.Equal("Personal API key lacks required scopes (feature_flag:read or feature_flag:write).", readerBody.GetProperty("detail").GetString());
        Assert.Equal(401, badSecret);
        Assert.Equal("Secret API token is invalid.", badBody.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task FlagDefinitions_MatchingETag_Is304()
    {
        await using var emulator = await RunningEmulator.StartAsync();
        var path = $"/flags/definitions?token={emulator.ProjectToken}";
        using var first = await emulator.Http.SendAsync(emulator.Get(path, RunningEmulator.Secret("flags")));
        var second = emulator.Get(path, RunningEmulator.Secret("flags"));
        second.Headers.IfNoneMatch.Add(first.Headers.ETag!);

        using var response = await emulator.Http.SendAsync(second);

        Assert.Equal(304, (int)response.StatusCode);
    }

    [Fact]
    public async Task Capture_OneEventWithoutDistinctId_RefusesTheWholeBatch_AGoodBatchIsListed()
    {
        // rust/capture/src/api.rs: MissingDistinctId / MissingEventName fail the whole request with 400.
        await using var emulator = await RunningEmulator.StartAsync();
        var good = new object[]
        {
            new { @event = "signed_up", distinct_id = "u1", uuid = "0190a0c3-7e1b-7000-8000-000000000001", timestamp = "2026-11-27T10:00:00Z" },
            new { @event = "from_properties", properties = new { distinct_id = "u2" } },
        };

        using var refused = await emulator.Http.PostAsJsonAsync("/batch/", new { api_key = emulator.ProjectToken, batch = good.Append(new { @event = "no_distinct_id" }).ToArray() });
        var afterRefusal = await emulator.Http.GetFromJsonAsync<System.Text.Json.JsonElement>("/_emulator/events");
        using var response = await emulator.Http.PostAsJsonAsync("/batch/", new { api_key = emulator.ProjectToken, batch = good });
        var events = await emulator.Http.GetFromJsonAsync<System.Text.Json.JsonElement>("/_emulator/events");

        Assert.Equal(400, (int)refused.StatusCode);
        Assert.Equal(0, afterRefusal.GetArrayLength());
        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal(["signed_up", "from_properties"], events.EnumerateArray().Select(e => e.GetProperty("event").GetString()));
        Assert.Equal("0190a0c3-7e1b-7000-8000-000000000001", events[0].GetProperty("uuid").GetString());
    }

    [Fact]
    public async Task Capture_GzipBody_IsAccepted()
    {
        await using var emulator = await RunningEmulator.StartAsync();
        var json = Encoding.UTF8.GetBytes($$"""{"api_key":"{{emulator.ProjectToken}}","event":"zipped","distinct_id":"u"}""");
        using var zipped = new MemoryStream();
        await using (var gzip = new GZipStream(zipped, CompressionLevel.Fastest, leaveOpen: true))
        {
            await gzip.WriteAsync(json);
        }

        using var response = await emulator.Http.PostAsync("/i/v0/e/", new ByteArrayContent(zipped.ToArray()));

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Single((await emulator.Http.GetFromJsonAsync<System.Text.Json.JsonElement>("/_emulator/events")).EnumerateArray());
    }

    [Theory]
    [InlineData("""{"event":"e","distinct_id":"d"}""", 401)]
    [InlineData("""{"api_key":"PERSONAL","event":"e","distinct_id":"d"}""", 401)]
    [InlineData("""{"api_key": """, 400)]
    public async Task Capture_BadRequests_GetPostHogsStatus(string body, int expected)
    {
        await using var emulator = await RunningEmulator.StartAsync();
        body = body.Replace("PERSONAL", RunningEmulator.Personal("all"), StringComparison.Ordinal);

        using var response = await emulator.Http.PostAsync("/i/v0/e/", new StringContent(body));

        Assert.Equal(expected, (int)response.StatusCode);
    }

    [Fact]
    public async Task Capture_OverTheSingleEventLimit_Is413()
    {
        await using var emulator = await RunningEmulator.StartAsync();
        var filler = new string('a', 2 * 1024 * 1024);
        var body = "{\"api_key\":\"" + emulator.ProjectToken + "\",\"event\":\"big\",\"distinct_id\":\"d\",\"properties\":{\"x\":\"" + filler + "\"}}";

        using var response = await emulator.Http.PostAsync("/i/v0/e/", new StringContent(body));

        Assert.Equal(413, (int)response.StatusCode);
    }
}
