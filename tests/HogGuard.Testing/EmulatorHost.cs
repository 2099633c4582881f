using System.Text.Json;
using HogGuard.Emulator;
using Microsoft.AspNetCore.Builder;

namespace HogGuard.Testing;

/// <summary>The emulator hosted in the test process on a free loopback port: real HTTP for the tool under test.</summary>
public sealed class EmulatorHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private EmulatorHost(WebApplication app, string address, string? ingestion = null)
    {
        _app = app;
        Address = address;
        IngestionAddress = ingestion ?? address;
    }

    /// <summary>The app host (the private API); with <see cref="StartSplitAsync"/> it redirects capture and flags to a login page.</summary>
    public string Address { get; }

    /// <summary>The ingestion host (capture, flags); the same as <see cref="Address"/> unless split.</summary>
    public string IngestionAddress { get; }

    /// <summary>Two ports sharing one state, as PostHog Cloud splits us.posthog.com and us.i.posthog.com.</summary>
    public static async Task<EmulatorHost> StartSplitAsync(object seed)
    {
        var (app, address, ingestion) = await EmulatorApp.StartSplitOnLoopbackAsync(seed is SeedBuilder builder ? builder.ToJson() : JsonSerializer.Serialize(seed));
        return new EmulatorHost(app, address.ToString().TrimEnd('/'), ingestion.ToString().TrimEnd('/'));
    }

    /// <summary>The emulator with a seed written as an object (serialised as the seed's JSON).</summary>
    public static Task<EmulatorHost> StartAsync(object seed) => StartFromJsonAsync(seed is SeedBuilder builder ? builder.ToJson() : JsonSerializer.Serialize(seed));

    /// <summary>The emulator with a typed seed.</summary>
    public static Task<EmulatorHost> StartAsync(SeedBuilder seed) => StartFromJsonAsync(seed.ToJson());

    /// <summary>The emulator with a seed given as its JSON text.</summary>
    public static async Task<EmulatorHost> StartFromJsonAsync(string seedJson)
    {
        var (app, address) = await EmulatorApp.StartOnLoopbackAsync(seedJson);
        return new EmulatorHost(app, address.ToString().TrimEnd('/'));
    }

    /// <summary>The app host as a URI.</summary>
    public Uri Uri => new(Address + "/");

    /// <summary>The ingestion host as a URI.</summary>
    public Uri IngestionUri => new(IngestionAddress + "/");

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
