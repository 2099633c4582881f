using System.Text.Json;
using HogGuard.Emulator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

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
        var app = EmulatorApp.Build(["--urls", "http://127.0.0.1:0"], JsonSerializer.Serialize(seed), log: _ => { });
        await app.StartAsync();
        return new EmulatorHost(app, app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
