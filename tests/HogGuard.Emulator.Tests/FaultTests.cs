using System.Diagnostics;
using System.Net.Http.Json;

namespace HogGuard.Emulator.Tests;

public sealed class FaultTests
{
    [Fact]
    public async Task Faults_429WithRetryAfterForTheNextCalls_ThenNormal()
    {
        await using var emulator = await RunningEmulator.StartAsync();
        using var set = await emulator.Http.PutAsJsonAsync("/_emulator/faults", new[] { new { route = "/api/users/", status = 429, retry_after_seconds = 7, count = 2 } });
        Assert.Equal(204, (int)set.StatusCode);
        var key = RunningEmulator.Personal("reader");

        using var first = await emulator.Http.SendAsync(emulator.Get("/api/users/@me/", key));
        using var second = await emulator.Http.SendAsync(emulator.Get("/api/users/@me/", key));
        using var third = await emulator.Http.SendAsync(emulator.Get("/api/users/@me/", key));

        Assert.Equal(429, (int)first.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(7), first.Headers.RetryAfter?.Delta);
        Assert.Equal(429, (int)second.StatusCode);
        Assert.Equal(200, (int)third.StatusCode);
    }

    [Fact]
    public async Task Faults_DroppedConnection_FailsTheRequest()
    {
        await using var emulator = await RunningEmulator.StartAsync();
        using var set = await emulator.Http.PutAsJsonAsync("/_emulator/faults", new[] { new { route = "/api/", drop = true } });

        await Assert.ThrowsAsync<HttpRequestException>(() => emulator.Http.SendAsync(emulator.Get("/api/users/@me/", RunningEmulator.Personal("all"))));
    }

    [Fact]
    public async Task Faults_Latency_DelaysTheAnswer()
    {
        await using var emulator = await RunningEmulator.StartAsync();
        using var set = await emulator.Http.PutAsJsonAsync("/_emulator/faults", new[] { new { route = "/api/", latency_ms = 300 } });
        var watch = Stopwatch.StartNew();

        using var response = await emulator.Http.SendAsync(emulator.Get("/api/users/@me/", RunningEmulator.Personal("all")));

        Assert.Equal(200, (int)response.StatusCode);
        Assert.True(watch.ElapsedMilliseconds >= 250, $"answered after {watch.ElapsedMilliseconds} ms");
    }

    [Fact]
    public async Task Faults_MalformedList_Is400()
    {
        await using var emulator = await RunningEmulator.StartAsync();

        using var response = await emulator.Http.PutAsync("/_emulator/faults", new StringContent("[{"));

        Assert.Equal(400, (int)response.StatusCode);
    }

    [Fact]
    public async Task FaultsWithANullEntry_Are400_AndLaterRequestsStillWork()
    {
        await using var emulator = await RunningEmulator.StartAsync();

        using var put = await emulator.Http.PutAsync("/_emulator/faults", new StringContent("[null]"));
        var (status, _) = await emulator.SendAsync(emulator.Get("/api/personal_api_keys/@current/", RunningEmulator.Personal("all")));

        Assert.Equal(400, (int)put.StatusCode);
        Assert.Equal(200, status);
    }

    [Theory]
    [InlineData("""{"projects":[null]}""", "projects[0] is null")]
    [InlineData("""{"users":[{"email":"a@b.c","personal_api_keys":[null]}]}""", "users[0].personal_api_keys[0] is null")]
    [InlineData("null", "it is null")]
    [InlineData("""{"users":[{"personal_api_keys":[{"value_hash":"sha256$abc","mask":"phx_...abcd"}]}]}""", "users[0].personal_api_keys[0] needs either value, or value_hash")]
    [InlineData("""{"projects":[{"id":1,"secret_api_keys":[{"value_hash":"sha256$0000000000000000000000000000000000000000000000000000000000000000"}]}]}""", "projects[0].secret_api_keys[0] needs")]
    [InlineData("""{"projects":[{"id":1,"secret_token_hash":"md5$00"}]}""", "projects[0] needs either secret_token or secret_token_hash")]
    public void Seed_WithNullEntries_IsRefusedNamingThem(string seed, string expected)
    {
        var error = Assert.Throws<InvalidDataException>(() => EmulatorApp.Validate(seed));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }
}
