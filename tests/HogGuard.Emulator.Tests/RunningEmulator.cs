using System.Text.Json;
using HogGuard.Testing;

namespace HogGuard.Emulator.Tests;

/// <summary>The emulator on a free loopback port, with a seed of freshly generated keys; real HTTP.</summary>
internal sealed class RunningEmulator : IAsyncDisposable
{
    private readonly EmulatorHost _host;

    private RunningEmulator(EmulatorHost host)
    {
        _host = host;
        Address = host.Uri;
        Http = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(30) };
    }

    public Uri Address { get; }

    public HttpClient Http { get; }

    public string ProjectToken { get; } = TestTokens.Stable("phc_", "Web");

    public static string Personal(string label) => TestTokens.Stable("phx_", label);

    public static string OAuth(string label) => TestTokens.Stable("pha_", label);

    public static string Refresh(string label) => TestTokens.Stable("phr_", label);

    public static string Secret(string label) => TestTokens.Stable("phs_", label);

    public static async Task<RunningEmulator> StartAsync()
    {
        var seed = new SeedBuilder()
            .Project(1, "Web", TestTokens.Stable("phc_", "Web"), keys => keys.Key("flags", Secret("flags"), ["feature_flag:read"]))
            .Project(2, "Mobile", TestTokens.Stable("phc_", "Mobile"))
            .User(
                "dev@example.com",
                keys => keys
                    .Key("all", Personal("all"), ["*"])
                    .Key("flags-writer", Personal("flags-writer"), ["feature_flag:write"])
                    .Key("reader", Personal("reader"), ["user:read", "project:read"], scopedTeams: [2]),
                oauthAccess: keys => keys.Key("app", OAuth("access"), ["feature_flag:read"]),
                oauthRefresh: keys => keys.Key("app", Refresh("refresh"), ["*"]));
        return new RunningEmulator(await EmulatorHost.StartAsync(seed));
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
        await _host.DisposeAsync();
    }
}
