using System.Net.Http.Json;
using HogGuard.PostHogApi;
using HogGuard.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace HogGuard.AspNetCore.Tests;

/// <summary>
/// The PostHog policy as a standard resilience handler on the named HttpClient (Microsoft.Extensions.Http.Resilience):
/// 429 (with Retry-After) and 5xx retried, other 4xx not; the emulator's faults on loopback.
/// </summary>
public sealed class ResilienceTests
{
    private static readonly Random Random = new(777);

    private static string Token(string prefix) => TestTokens.Make(prefix, base57: true, Random);

    private static async Task<(EmulatorHost Emulator, string Writer)> EmulatorAsync()
    {
        var writer = Token("phx_");
        var emulator = await EmulatorHost.StartAsync(new SeedBuilder().Project(1, "Web", Token("phc_")).User("svc@example.com", k => k.Key("writer", writer, ["insight:write"])));
        return (emulator, writer);
    }

    private static ServiceProvider Services(EmulatorHost emulator, string writer, PostHogClientOptions? options = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["PostHog:Host"] = emulator.Address,
            ["PostHog:WriterKey"] = writer,
            ["PostHog:WriterScopes:0"] = "insight:write",
        }).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        if (options is not null)
        {
            services.AddSingleton(options);
        }

        services.AddPostHogSecurity(configuration);
        return services.BuildServiceProvider();
    }

    private static async Task FaultAsync(EmulatorHost emulator, object fault)
    {
        using var http = new HttpClient { BaseAddress = emulator.Uri };
        using var answer = await http.PutAsJsonAsync("_emulator/faults", new[] { fault });
        answer.EnsureSuccessStatusCode();
    }

    [Theory]
    [InlineData(429, 1, true)]
    [InlineData(503, 2, true)]
    [InlineData(500, 1, true)]
    [InlineData(403, 1, false)]
    [InlineData(400, 1, false)]
    [InlineData(404, 1, false)]
    public async Task Writer_RetriesWhatPostHogMeansAsTransient_AndNothingElse(int status, int times, bool recovers)
    {
        var (emulator, writer) = await EmulatorAsync();
        await using var _ = emulator;
        using var provider = Services(emulator, writer, new PostHogClientOptions { BaseDelay = TimeSpan.FromMilliseconds(10) });
        await FaultAsync(emulator, new { route = "/api/projects/1/insights/", status, count = times, retry_after_seconds = status == 429 ? 1 : (int?)null });

        var answer = await provider.GetRequiredKeyedService<PostHogApiClient>(PostHogRoles.Writer).PostAsync("/api/projects/1/insights/", "{\"name\":\"x\"}");

        Assert.Equal(recovers, answer.IsOk);
        Assert.Equal(recovers ? 201 : status, answer.Status);
    }

    [Fact]
    public async Task TheRetriesLiveInTheHandler_SoZeroRetriesThereMeansNoneAtAll()
    {
        var (emulator, writer) = await EmulatorAsync();
        await using var _ = emulator;
        using var provider = Services(emulator, writer, new PostHogClientOptions { MaxRetries = 0 });
        await FaultAsync(emulator, new { route = "/api/projects/1/insights/", status = 503, count = 1 });

        var answer = await provider.GetRequiredKeyedService<PostHogApiClient>(PostHogRoles.Writer).PostAsync("/api/projects/1/insights/", "{\"name\":\"x\"}");

        Assert.Equal(503, answer.Status);

        // The typed client comes from IHttpClientFactory each time (handlers rotate) and does not retry on its own.
        var first = provider.GetRequiredService<PostHogClient>();
        Assert.NotSame(first, provider.GetRequiredService<PostHogClient>());
        await FaultAsync(emulator, new { route = "/api/personal_api_keys/", status = 503, count = 1 });
        using var plain = new HttpClient();
        var once = await new PostHogClient(plain, new PostHogClientOptions { ResilienceInHttpClient = true }).GetCurrentPersonalKeyAsync(emulator.Uri, new Keys.PostHogSecret(writer));
        Assert.Equal(503, once.Status);
    }
}
