using System.Text.Json;
using HogGuard.Emulator;
using Microsoft.AspNetCore.Builder;

namespace HogGuard.Cli.Tests.Infrastructure;

/// <summary>The emulator hosted in the test process on a free loopback port: real HTTP for the tool under test.</summary>
internal sealed class EmulatorHost : IAsyncDisposable
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
        var (app, address, ingestion) = await EmulatorApp.StartSplitOnLoopbackAsync(JsonSerializer.Serialize(seed));
        return new EmulatorHost(app, address.ToString().TrimEnd('/'), ingestion.ToString().TrimEnd('/'));
    }

    public static async Task<EmulatorHost> StartAsync(object seed)
    {
        var (app, address) = await EmulatorApp.StartOnLoopbackAsync(JsonSerializer.Serialize(seed));
        return new EmulatorHost(app, address.ToString().TrimEnd('/'));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
