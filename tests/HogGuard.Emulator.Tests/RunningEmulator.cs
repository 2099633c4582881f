using System.Text.Json;
using HogGuard.Testing;
using Microsoft.AspNetCore.Builder;

namespace HogGuard.Emulator.Tests;

/// <summary>The emulator on a free loopback port, with a seed of freshly generated keys; real HTTP.</summary>
internal sealed class RunningEmulator : IAsyncDisposable
{
    private readonly WebApplication _app;

    private RunningEmulator(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
        Http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
    }

    public Uri Address { get; }

    public HttpClient Http { get; }

    public string ProjectToken { get; } = TestTokens.Make("phc_", base57: true, new Random(1));

    public static string Personal(string label) => TestTokens.Stable("phx_", label);

    public static string OAuth(string label) => TestTokens.Stable("pha_", label);

    public static string Refresh(string label) => TestTokens.Stable("phr_", label);

    public static string Secret(string label) => TestTokens.Stable("phs_", label);

    public static async Task<RunningEmulator> StartAsync()
    {
        var projectToken = TestTokens.Make("phc_", base57: true, new Random(1));
        var seed = new
        {
            projects = new object[]
            {
                new { id = 1, name = "Web", api_token = projectToken, secret_api_keys = new object[] { new { label = "flags", value = Secret("flags"), scopes = new[] { "feature_flag:read" } } } },
                new { id = 2, name = "Mobile", api_token = TestTokens.Make("phc_", base57: true, new Random(2)) },
            },
            users = new object[]
            {
                new
                {
                    email = "dev@example.com",
                    personal_api_keys = new object[]
                    {
                        new { label = "all", value = Personal("all"), scopes = new[] { "*" } },
                        new { label = "flags-writer", value = Personal("flags-writer"), scopes = new[] { "feature_flag:write" } },
                        new { label = "reader", value = Personal("reader"), scopes = new[] { "user:read", "project:read" }, scoped_teams = new[] { 2 } },
                    },
                    oauth_access_tokens = new object[] { new { label = "app", value = OAuth("access"), scopes = new[] { "feature_flag:read" } } },
                    oauth_refresh_tokens = new object[] { new { label = "app", value = Refresh("refresh") } },
                },
            },
        };
        var (app, address) = await EmulatorApp.StartOnLoopbackAsync(JsonSerializer.Serialize(seed));
        return new RunningEmulator(app, address);
    }

    public HttpRequestMessage Get(string path, string? bearer = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (bearer is not null)
        {
            request.Headers.Authorization = new("Bearer", bearer);
        }

        return request;
    }

    public async Task<(int Status, JsonElement Body)> SendAsync(HttpRequestMessage request)
    {
        using var response = await Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        using var document = JsonDocument.Parse(text.Length == 0 ? "null" : text);
        return ((int)response.StatusCode, document.RootElement.Clone());
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
