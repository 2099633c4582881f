using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using HogGuard.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace HogGuard.AspNetCore.Tests;

/// <summary><c>AddPostHogSecurity</c>: start-up validation, the scope guard, keyed clients, capture and the health check against the emulator over loopback.</summary>
public sealed class PostHogSecurityTests
{
    private static readonly Random Random = new(2026);

    private static string Token(string prefix) => TestTokens.Make(prefix, base57: true, Random);

    private static ServiceProvider Services(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddPostHogSecurity(configuration);
        return services.BuildServiceProvider();
    }

    private static string[] Failures(Dictionary<string, string?> settings)
    {
        using var provider = Services(settings);
        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<PostHogSecurityOptions>>().Value);
        return [.. error.Failures];
    }

    [Fact]
    public void Validation_EachMisconfiguration_NamesItsSetting_AndNeverTheValue()
    {
        var personal = Token("phx_");
        var secret = Token("phs_");
        var project = Token("phc_");
        var cases = new (Dictionary<string, string?> Settings, string Expected, string Value)[]
        {
            (new() { ["PostHog:ProjectToken"] = personal }, "PostHog:ProjectToken must be the public phc_ project token", personal),
            (new() { ["PostHog:ProjectToken"] = secret }, "This setting is meant for browsers", secret),
            (new() { ["PostHog:ReaderKey"] = secret }, "PostHog:ReaderKey must be a phx_ personal API key with read scopes, but holds a", secret),
            (new() { ["PostHog:SecretKey"] = project }, "PostHog:SecretKey must be a phs_ project secret API key", project),
            (new() { ["PostHog:ReaderKey"] = personal, ["PostHog:WriterKey"] = personal }, "PostHog:ReaderKey and PostHog:WriterKey are the same key", personal),
            (new() { ["PostHog:ReaderKey"] = personal, ["PostHog:ReaderScopes:0"] = "insight:write" }, "PostHog:ReaderScopes holds 'insight:write'", personal),
            (new() { ["PostHog:Host"] = "us.posthog" }, "PostHog:Host 'us.posthog' is not an http(s) URL", "\u0000"),
            (new() { ["PostHog:WriterKey"] = "not-a-key-at-all" }, "PostHog:WriterKey must be a phx_ personal API key, but holds a value that is no PostHog key", "not-a-key-at-all"),
        };
        foreach (var (settings, expected, value) in cases)
        {
            var failures = string.Join("\n", Failures(settings));
            Assert.Contains(expected, failures, StringComparison.Ordinal);
            Assert.DoesNotContain(value, failures, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Validation_RunsAtStartUp()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["PostHog:ProjectToken"] = Token("phx_") });
        builder.Services.AddPostHogSecurity(builder.Configuration);
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains("PostHog:ProjectToken", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_ToString_ShowsMasksOnly()
    {
        var reader = Token("phx_");
        var options = new PostHogSecurityOptions { ReaderKey = reader, SecretKey = Token("phs_") };

        var text = options.ToString();

        Assert.DoesNotContain(reader, text, StringComparison.Ordinal);
        Assert.DoesNotContain(options.SecretKey, text, StringComparison.Ordinal);
        Assert.Contains(reader[..4] + "...", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReaderClient_RefusesAWrite_WithoutAnyNetworkCall()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var host = $"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}";
        using var provider = Services(new()
        {
            ["PostHog:Host"] = host,
            ["PostHog:ReaderKey"] = Token("phx_"),
            ["PostHog:ReaderScopes:0"] = "insight:read",
            ["PostHog:ReaderScopes:1"] = "query:read",
        });
        var reader = provider.GetRequiredKeyedService<PostHogApiClient>(PostHogRoles.Reader);

        var error = await Assert.ThrowsAsync<PostHogScopeException>(() => reader.PostAsync("/api/projects/1/insights/", "{\"name\":\"x\"}"));

        Assert.Equal("insight:write", error.Scope);
        Assert.Contains("lacks the scope 'insight:write'", error.Message, StringComparison.Ordinal);
        Assert.Contains("Use the writer client", error.Message, StringComparison.Ordinal);
        await Task.Delay(200);
        Assert.False(listener.Pending(), "the refused request reached the network");
    }

    [Fact]
    public async Task Scopes_ComeFromHogGuardYml_ForTheServicesEnvironment_WithoutAskingPostHog()
    {
        var folder = Directory.CreateTempSubdirectory("hogguard-policy-").FullName;
        try
        {
            var policy = Path.Combine(folder, "hogguard.yml");
            File.WriteAllText(policy, """
                environments:
                  production:
                    keys:
                      - { name: reader, source: "env:R", purpose: reader, scopes: [insight:read, query:read], max_age_days: 60 }
                      - { name: writer, source: "env:W", purpose: writer, scopes: [insight:write] }
                """);
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            using var provider = Services(new()
            {
                ["PostHog:Host"] = $"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}",
                ["PostHog:ReaderKey"] = Token("phx_"),
                ["PostHog:WriterKey"] = Token("phx_"),
                ["PostHog:PolicyFile"] = policy,
                ["PostHog:Environment"] = "production",
            });

            var reader = await provider.GetRequiredKeyedService<PostHogApiClient>(PostHogRoles.Reader).GetScopesAsync();
            var writer = await provider.GetRequiredKeyedService<PostHogApiClient>(PostHogRoles.Writer).GetScopesAsync();

            Assert.Equal(["insight:read", "query:read"], reader.Order());
            Assert.Equal(["insight:write"], writer);
            Assert.Equal(60, provider.GetRequiredService<IOptions<PostHogSecurityOptions>>().Value.MaxKeyAgeDays);
            Assert.False(listener.Pending(), "scopes were asked of PostHog though the policy names them");

            using var wrongEnvironment = Services(new() { ["PostHog:PolicyFile"] = policy, ["PostHog:Environment"] = "staging" });
            var error = Assert.ThrowsAny<Exception>(() => wrongEnvironment.GetRequiredService<IOptions<PostHogSecurityOptions>>().Value);
            Assert.Contains("has no environment 'staging' with keys; set PostHog:Environment to one it names (production)", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task<(EmulatorHost Emulator, string Address, string Reader, string Writer, string ProjectToken, string Old)> StartEmulatorAsync()
    {
        var (reader, writer, old, projectToken) = (Token("phx_"), Token("phx_"), Token("phx_"), Token("phc_"));
        var seed = new
        {
            projects = new object[] { new { id = 1, name = "Web", api_token = projectToken } },
            users = new object[]
            {
                new
                {
                    email = "svc@example.com",
                    personal_api_keys = new object[]
                    {
                        new { label = "reader", value = reader, scopes = new[] { "insight:read" } },
                        new { label = "writer", value = writer, scopes = new[] { "insight:write" } },
                        new { label = "old", value = old, scopes = new[] { "insight:read" }, created_at = DateTimeOffset.UtcNow.AddDays(-200) },
                    },
                },
            },
        };
        var emulator = await EmulatorHost.StartAsync(seed);
        return (emulator, emulator.Address, reader, writer, projectToken, old);
    }

    [Fact]
    public async Task KeyedClients_IntrospectScopesOnce_ReaderReads_WriterWrites_CaptureArrives()
    {
        var (emulator, address, reader, writer, projectToken, _) = await StartEmulatorAsync();
        await using var _ = emulator;
        using var provider = Services(new() { ["PostHog:Host"] = address, ["PostHog:ReaderKey"] = reader, ["PostHog:WriterKey"] = writer, ["PostHog:ProjectToken"] = projectToken });
        var readerClient = provider.GetRequiredKeyedService<PostHogApiClient>(PostHogRoles.Reader);
        var writerClient = provider.GetRequiredKeyedService<PostHogApiClient>(PostHogRoles.Writer);

        var read = await readerClient.GetAsync("/api/projects/1/insights/");
        var written = await writerClient.PostAsync("/api/projects/1/insights/", "{\"name\":\"weekly\"}");
        var refused = await Assert.ThrowsAsync<PostHogScopeException>(() => readerClient.PostAsync("/api/projects/1/insights/", "{\"name\":\"x\"}"));
        var capture = await provider.GetRequiredService<PostHogCaptureClient>().CaptureAsync("order_paid", "user-7", new Dictionary<string, object?> { ["amount"] = 12.5, ["plan"] = "pro" });

        Assert.True(read.IsOk, read.Detail);
        Assert.True(written.IsOk, written.Detail);
        Assert.Equal(["insight:read"], await readerClient.GetScopesAsync());
        Assert.Equal("insight:write", refused.Scope);
        Assert.True(capture.IsOk, capture.Detail);
        using var http = new HttpClient();
        var events = await http.GetFromJsonAsync<JsonElement>(address + "/_emulator/events");
        Assert.Contains(events.EnumerateArray(), e => e.GetProperty("event").GetString() == "order_paid" && e.GetProperty("distinct_id").GetString() == "user-7");
        Assert.DoesNotContain(reader, readerClient.Key, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Capture_GoesToTheIngestionHost_AndALoginPageOnTheAppHostIsNoSuccess()
    {
        // PostHog Cloud serves capture on its .i. host; the app host redirects /batch/ to a login page (posthog/urls.py).
        var projectToken = Token("phc_");
        var seed = new { projects = new object[] { new { id = 1, name = "Web", api_token = projectToken } } };
        await using var emulator = await EmulatorHost.StartSplitAsync(seed);
        var (app, ingestion) = (emulator.Uri, emulator.IngestionUri);

        async Task<HogGuard.PostHogApi.ApiResult<bool>> CaptureAsync(Dictionary<string, string?> settings)
        {
            using var provider = Services(settings);
            return await provider.GetRequiredService<PostHogCaptureClient>().CaptureAsync("order_paid", "user-7");
        }

        var split = await CaptureAsync(new() { ["PostHog:Host"] = app.ToString(), ["PostHog:IngestionHost"] = ingestion.ToString(), ["PostHog:ProjectToken"] = projectToken });
        var appOnly = await CaptureAsync(new() { ["PostHog:Host"] = app.ToString(), ["PostHog:ProjectToken"] = projectToken });

        Assert.True(split.IsOk, split.Detail);
        Assert.False(appOnly.IsOk);
        Assert.Contains("302 redirecting to /login", appOnly.Detail, StringComparison.Ordinal);
        using var http = new HttpClient();
        var events = await http.GetFromJsonAsync<JsonElement>(ingestion + "_emulator/events");
        Assert.Single(events.EnumerateArray());
    }

    [Fact]
    public void KeyPastedIntoHost_IsRefused_WithoutEchoingTheKey()
    {
        var key = Token("phx_");
        using var provider = Services(new() { ["PostHog:Host"] = key, ["PostHog:ReaderKey"] = Token("phx_") });

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<PostHogSecurityOptions>>().Value);

        Assert.Contains("PostHog:Host", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(key, error.Message, StringComparison.Ordinal);
        Assert.Contains($"{key[..4]}...{key[^4..]}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HealthCheck_Healthy_Degraded_Unhealthy()
    {
        var (emulator, address, reader, writer, _, old) = await StartEmulatorAsync();
        await using var _ = emulator;

        async Task<HealthReport> CheckAsync(Dictionary<string, string?> settings)
        {
            using var provider = Services(settings);
            await provider.GetRequiredService<PostHogKeysHealthCache>().RefreshAsync();
            return await provider.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        }

        var healthy = await CheckAsync(new() { ["PostHog:Host"] = address, ["PostHog:ReaderKey"] = reader, ["PostHog:WriterKey"] = writer, ["PostHog:MaxKeyAgeDays"] = "90" });
        var overdue = await CheckAsync(new() { ["PostHog:Host"] = address, ["PostHog:ReaderKey"] = old, ["PostHog:WriterKey"] = writer, ["PostHog:MaxKeyAgeDays"] = "90" });
        var revoked = Token("phx_");
        var unhealthy = await CheckAsync(new() { ["PostHog:Host"] = address, ["PostHog:ReaderKey"] = reader, ["PostHog:WriterKey"] = revoked });

        Assert.Equal(HealthStatus.Healthy, healthy.Status);
        Assert.Equal(HealthStatus.Degraded, overdue.Status);
        Assert.Contains("ReaderKey", overdue.Entries[PostHogSecurityServiceCollectionExtensions.HealthCheckName].Description, StringComparison.Ordinal);
        Assert.Contains("overdue for rotation", overdue.Entries[PostHogSecurityServiceCollectionExtensions.HealthCheckName].Description, StringComparison.Ordinal);
        Assert.Equal(HealthStatus.Unhealthy, unhealthy.Status);
        var description = unhealthy.Entries[PostHogSecurityServiceCollectionExtensions.HealthCheckName].Description!;
        Assert.Contains("PostHog refuses WriterKey", description, StringComparison.Ordinal);
        Assert.DoesNotContain(revoked, description, StringComparison.Ordinal);
        Assert.DoesNotContain(old, overdue.Entries[PostHogSecurityServiceCollectionExtensions.HealthCheckName].Description, StringComparison.Ordinal);
    }
}
