using System.Text.Json;

namespace HogGuard.Emulator;

/// <summary>Builds the emulator app, so tests can host it in-process on a loopback port and the program can run it.</summary>
public static class EmulatorApp
{
    /// <summary>Reads a seed file (see the README).</summary>
    /// <exception cref="InvalidDataException">The file cannot be read or is not valid seed JSON.</exception>
    public static string Validate(string seedJson)
    {
        try
        {
            Check(JsonSerializer.Deserialize(seedJson, EmulatorJson.Relaxed.SeedFile));
            return seedJson;
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"not a valid seed file: {e.Message}", e);
        }
    }

    /// <summary>A seed with a null where a project, user, key or fault belongs is refused, naming it.</summary>
    internal static SeedFile Check(SeedFile? seed)
    {
        if (seed is null)
        {
            throw new InvalidDataException("not a valid seed file: it is null; write an object such as { \"projects\": [...] }");
        }

        static void NoNulls<T>(IEnumerable<T?>? items, string where)
        {
            var index = 0;
            foreach (var item in items ?? [])
            {
                if (item is null)
                {
                    throw new InvalidDataException($"not a valid seed file: {where}[{index}] is null; remove it or write the object");
                }

                index++;
            }
        }

        NoNulls(seed.Projects, "projects");
        NoNulls(seed.Users, "users");
        NoNulls(seed.Faults, "faults");
        static void Keys(List<SeedKey>? keys, string where)
        {
            NoNulls(keys, where);
            for (var k = 0; k < (keys?.Count ?? 0); k++)
            {
                var key = keys![k];
                if (key.ValueHash is { } hash && (key.Value is not null || !IsStoredHash(hash) || string.IsNullOrEmpty(key.Mask)))
                {
                    throw new InvalidDataException($"not a valid seed file: {where}[{k}] needs either value, or value_hash ('sha256$' and 64 lowercase hex digits) with mask");
                }
            }
        }

        for (var i = 0; i < (seed.Projects?.Count ?? 0); i++)
        {
            Keys(seed.Projects![i].SecretApiKeys, $"projects[{i}].secret_api_keys");
            if (seed.Projects[i].SecretTokenHash is { } tokenHash && (seed.Projects[i].SecretToken is not null || !IsStoredHash(tokenHash)))
            {
                throw new InvalidDataException($"not a valid seed file: projects[{i}] needs either secret_token or secret_token_hash ('sha256$' and 64 lowercase hex digits)");
            }
        }

        for (var i = 0; i < (seed.Users?.Count ?? 0); i++)
        {
            Keys(seed.Users![i].PersonalApiKeys, $"users[{i}].personal_api_keys");
            Keys(seed.Users[i].OauthAccessTokens, $"users[{i}].oauth_access_tokens");
            Keys(seed.Users[i].OauthRefreshTokens, $"users[{i}].oauth_refresh_tokens");
        }

        return seed;
    }

    private static bool IsStoredHash(string hash) =>
        hash.Length == 71 && hash.StartsWith("sha256$", StringComparison.Ordinal) && hash.AsSpan(7).IndexOfAnyExcept("0123456789abcdef") < 0;

    /// <summary>Starts the emulator on a free loopback port (for tests and demos) and returns it with its address.</summary>
    public static async Task<(WebApplication App, Uri Address)> StartOnLoopbackAsync(string? seedJson, Action<string>? log = null)
    {
        var app = Build(["--urls", "http://127.0.0.1:0"], seedJson, log: log ?? (_ => { }));
        await app.StartAsync().ConfigureAwait(false);
        var addresses = app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()
            .Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()!.Addresses;
        return (app, new Uri(addresses.First()));
    }

    /// <summary>
    /// Starts the emulator on two free loopback ports, as PostHog Cloud splits its hosts: the first
    /// address is the app host (ingestion paths there redirect to an HTML login page), the second the
    /// ingestion host. Both share one state.
    /// </summary>
    public static async Task<(WebApplication App, Uri AppAddress, Uri IngestionAddress)> StartSplitOnLoopbackAsync(string? seedJson, Action<string>? log = null)
    {
        var app = Build(["--urls", "http://127.0.0.1:0;http://127.0.0.1:0"], seedJson, log: log ?? (_ => { }));
        await app.StartAsync().ConfigureAwait(false);
        var addresses = app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()
            .Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()!.Addresses.Select(a => new Uri(a)).ToList();
        app.Services.GetRequiredService<EmulatorState>().AppOnlyPorts.Add(addresses[0].Port);
        return (app, addresses[0], addresses[1]);
    }

    /// <summary>The app, configured from <paramref name="args"/> (<c>--urls</c>, ...) and <paramref name="seedJson"/>.</summary>
    /// <param name="appOnlyPorts">Ports that answer as PostHog Cloud's app host only (see <see cref="StartSplitOnLoopbackAsync"/>).</param>
    public static WebApplication Build(string[] args, string? seedJson, TimeProvider? time = null, Action<string>? log = null, IEnumerable<int>? appOnlyPorts = null)
    {
        var seed = seedJson is null ? new SeedFile() : Check(JsonSerializer.Deserialize(seedJson, EmulatorJson.Relaxed.SeedFile));
        var builder = WebApplication.CreateSlimBuilder(args);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var state = new EmulatorState(seed, time ?? TimeProvider.System, log ?? Console.WriteLine);
        state.AppOnlyPorts.UnionWith(appOnlyPorts ?? []);
        builder.Services.AddSingleton(state);
        var app = builder.Build();
        app.Use((context, next) => AdminEndpoints.ApplyFaultsAsync(context, state, next));
        app.Use((context, next) => AppHost.RedirectIngestionAsync(context, state, next));
        AppHost.Map(app);
        IdentityEndpoints.Map(app, state);
        FlagsEndpoints.Map(app, state);
        CaptureEndpoints.Map(app, state);
        ManagementEndpoints.Map(app, state);
        AdminEndpoints.Map(app, state);
        return app;
    }
}
