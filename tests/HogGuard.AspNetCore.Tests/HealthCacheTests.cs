using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using HogGuard.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace HogGuard.AspNetCore.Tests;

/// <summary>The posthog-keys health check answers from its cache: a real service on loopback, the emulator stalled by a latency fault.</summary>
public sealed class HealthCacheTests(Xunit.Abstractions.ITestOutputHelper output) : IDisposable
{
    private static readonly Random Random = new(5050);
    private readonly string _folder = Directory.CreateTempSubdirectory("hogguard-health-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static string Token(string prefix) => TestTokens.Make(prefix, base57: true, Random);

    private async Task<(WebApplication App, HttpClient Http, string Settings)> StartAsync(EmulatorHost emulator, string writer, string interval)
    {
        var settings = Path.Combine(_folder, "appsettings.json");
        File.WriteAllText(settings, JsonSerializer.Serialize(new { PostHog = new { Host = emulator.Address, WriterKey = writer, HealthCheckInterval = interval } }));
        var builder = WebApplication.CreateSlimBuilder(["--urls", "http://127.0.0.1:0"]);
        builder.Logging.ClearProviders();
        builder.Configuration.AddJsonFile(settings, optional: false, reloadOnChange: true);
        builder.Services.AddPostHogSecurity(builder.Configuration);
        var app = builder.Build();
        app.MapHealthChecks("/health");
        app.MapHealthChecks("/live", new HealthCheckOptions { Predicate = r => !r.Tags.Contains(PostHogSecurityServiceCollectionExtensions.HealthCheckTag) });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return (app, new HttpClient { BaseAddress = new Uri(address) }, settings);
    }

    private static async Task FaultsAsync(EmulatorHost emulator, object[] faults)
    {
        using var http = new HttpClient { BaseAddress = emulator.Uri };
        using var answer = await http.PutAsJsonAsync("_emulator/faults", faults);
        answer.EnsureSuccessStatusCode();
    }

    private static async Task<string> HealthAsync(HttpClient http, string path = "/health")
    {
        using var answer = await http.GetAsync(path);
        return await answer.Content.ReadAsStringAsync();
    }

    private static async Task EventuallyAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"never happened: {what}");
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task Health_AnswersFromTheCache_InUnder50ms_WhilePostHogIsStalled()
    {
        var writer = Token("phx_");
        await using var emulator = await EmulatorHost.StartAsync(new SeedBuilder().Project(1, "Web", Token("phc_")).User("svc@example.com", k => k.Key("writer", writer, ["insight:write"])));
        var (app, http, _) = await StartAsync(emulator, writer, "00:00:00.200");
        await using var _ = app;
        using var __ = http;
        await EventuallyAsync(async () => await HealthAsync(http) == "Healthy", "the first probe ends healthy");

        // PostHog stops answering for 20 s; the interval has passed, so the next probe starts and hangs.
        await FaultsAsync(emulator, [new { route = "/api/", latency_ms = 20_000, count = 0 }]);

        await Task.Delay(300);
        var cache = app.Services.GetRequiredService<PostHogKeysHealthCache>();
        var timings = new List<double>();
        for (var i = 0; i < 21; i++)
        {
            var watch = Stopwatch.StartNew();
            var answer = await HealthAsync(http);
            timings.Add(watch.Elapsed.TotalMilliseconds);
            Assert.Equal("Healthy", answer);
        }

        Assert.True(cache.IsProbing, "no probe was waiting on the stalled PostHog while /health answered");
        timings.Sort();
        output.WriteLine($"/health with PostHog stalled: median {timings[timings.Count / 2]:F2} ms, max {timings[^1]:F2} ms over {timings.Count} probes");
        Assert.True(timings[timings.Count / 2] < 50, $"/health took a median {timings[timings.Count / 2]:F1} ms with PostHog stalled (all: {string.Join(", ", timings.Select(t => t.ToString("F1", System.Globalization.CultureInfo.InvariantCulture)))})");
    }

    [Fact]
    public async Task Health_ReprobesAfterAReload_AndItsTagLeavesItOutOfALivenessProbe()
    {
        var writer = Token("phx_");
        await using var emulator = await EmulatorHost.StartAsync(new SeedBuilder().Project(1, "Web", Token("phc_")).User("svc@example.com", k => k.Key("writer", writer, ["insight:write"])));

        // A stalled PostHog from the start: the first probe never ends, yet both endpoints answer at once.
        await FaultsAsync(emulator, [new { route = "/api/", latency_ms = 20_000, count = 0 }]);

        var (app, http, settings) = await StartAsync(emulator, writer, "01:00:00");
        await using var _ = app;
        using var __ = http;
        Assert.Equal("Degraded", await HealthAsync(http));
        Assert.Equal("Healthy", await HealthAsync(http, "/live"));
        await FaultsAsync(emulator, []);

        // A reload to a key PostHog does not know: the cached verdict is for the old key, so a new probe runs at once.
        var unknown = Token("phx_");
        var temporary = settings + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(new { PostHog = new { Host = emulator.Address, WriterKey = unknown, HealthCheckInterval = "01:00:00" } }));
        File.Move(temporary, settings, overwrite: true);
        await EventuallyAsync(async () => await HealthAsync(http) == "Unhealthy", "the reloaded key is probed and refused");
    }
}
