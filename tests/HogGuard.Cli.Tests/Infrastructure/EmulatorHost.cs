using System.Text.Json;
using HogGuard.Emulator;
using Microsoft.AspNetCore.Builder;

namespace HogGuard.Cli.Tests.Infrastructure;

/// <summary>The emulator hosted in the test process on a free loopback port: real HTTP for the tool under test.</summary>
internal sealed class EmulatorHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private EmulatorHost(WebApplication app, string address)
    {
        _app = app;
        Address = address;
    }

    public string Address { get; }

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
