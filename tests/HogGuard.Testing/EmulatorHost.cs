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

    /// <summary>
    /// A call as the person <paramref name="email"/>, logged in (the emulator's session header stands in
    /// for PostHog's session cookie): what a person does in PostHog's UI, such as creating or deleting a
    /// personal key. Fails the test unless PostHog answers 2xx; the JSON answer, or default for 204.
    /// </summary>
    public async Task<JsonElement> AsPersonAsync(string email, HttpMethod method, string path, object? body = null)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(method, Address + path);
        request.Headers.Add("X-Emulator-Session", email);
        if (body is not null)
        {
            request.Content = System.Net.Http.Json.JsonContent.Create(body);
        }

        using var response = await http.SendAsync(request);
        Xunit.Assert.True(response.IsSuccessStatusCode, $"{method} {path}: {(int)response.StatusCode}");
        return response.StatusCode == System.Net.HttpStatusCode.NoContent ? default : JsonSerializer.Deserialize<JsonElement>(await response.Content.ReadAsStringAsync());
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
