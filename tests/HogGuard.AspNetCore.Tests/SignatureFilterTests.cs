using System.Net;
using System.Text;
using System.Text.Json;
using HogGuard.Webhooks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace HogGuard.AspNetCore.Tests;

/// <summary>The endpoint filter end to end on Kestrel over loopback.</summary>
public sealed class SignatureFilterTests
{
    private static readonly string Secret = WebhookKey.NewStandardSecret();

    private static async Task<(WebApplication App, HttpClient Http)> StartAsync(Action<PostHogWebhookOptions>? configure = null, Func<HttpContext, IResult>? handler = null)
    {
        var builder = WebApplication.CreateSlimBuilder(["--urls", "http://127.0.0.1:0"]);
        builder.Logging.ClearProviders();
        builder.Services.AddPostHogWebhooks("posthog", options =>
        {
            options.Secrets.Add(new PostHogWebhookSecret { Id = "current", Secret = Secret });
            options.MaxBodyBytes = 64 * 1024;
            configure?.Invoke(options);
        });
        var app = builder.Build();
        app.MapPost("/webhooks/posthog", (HttpContext context) =>
        {
            if (handler is not null)
            {
                return handler(context);
            }

            var delivery = context.GetPostHogWebhook();
            using var reader = new StreamReader(context.Request.Body);
            var again = reader.ReadToEnd();
            return Results.Text($"{delivery.KeyId}|{delivery.Body.Length}|{again.Length}");
        }).RequirePostHogSignature("posthog");
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return (app, new HttpClient { BaseAddress = new Uri(address) });
    }

    private static HttpRequestMessage Delivery(string id, byte[] body, long? timestamp = null, string? signature = null)
    {
        var ts = timestamp ?? DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/posthog") { Content = new ByteArrayContent(body) };
        request.Headers.Add("webhook-id", id);
        request.Headers.Add("webhook-timestamp", ts.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add("webhook-signature", signature ?? WebhookSigner.SignStandard(WebhookKey.FromStandardSecret("k", Secret), id, ts, body));
        return request;
    }

    [Fact]
    public async Task ValidDelivery_ReachesTheHandlerWithTheExactBody()
    {
        var (app, http) = await StartAsync();
        await using var _ = app;
        var body = Encoding.UTF8.GetBytes("{\"event\":\"signed_up\",\"name\":\"Zoë\"}");

        using var first = await http.SendAsync(Delivery("msg_1", body));

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal($"current|{body.Length}|{Encoding.UTF8.GetString(body).Length}", await first.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task RetryWithTheSameIdAfterA2xx_Is200AlreadyProcessed_AndTheHandlerRunsOnce()
    {
        // PostHog keeps webhook-id across retries of one delivery and signs each attempt afresh
        // (nodejs/src/cdp/utils/standard-webhooks.ts): a retry is not a replay.
        var calls = 0;
        var (app, http) = await StartAsync(handler: _ => { Interlocked.Increment(ref calls); return Results.Ok(); });
        await using var _ = app;
        var body = "{\"event\":\"a\"}"u8.ToArray();

        using var first = await http.SendAsync(Delivery("msg_retry_ok", body));
        await WaitForAsync(() => calls == 1);
        await Task.Delay(100);
        using var retry = await http.SendAsync(Delivery("msg_retry_ok", body, timestamp: DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 1));

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        Assert.Contains("already processed", await retry.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(1, calls);
    }

    [Fact]
    public async Task RetryWithTheSameIdAfterA500_RunsTheHandlerAgain()
    {
        var calls = 0;
        var (app, http) = await StartAsync(handler: _ => Interlocked.Increment(ref calls) == 1 ? Results.StatusCode(500) : Results.Ok());
        await using var _ = app;
        var body = "{\"event\":\"b\"}"u8.ToArray();

        using var failed = await http.SendAsync(Delivery("msg_retry_500", body));
        await Task.Delay(100);
        using var retry = await http.SendAsync(Delivery("msg_retry_500", body));
        await Task.Delay(100);
        using var third = await http.SendAsync(Delivery("msg_retry_500", body));

        Assert.Equal(HttpStatusCode.InternalServerError, failed.StatusCode);
        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        Assert.Equal(2, calls);
        Assert.Contains("already processed", await third.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(2, calls);
    }

    [Fact]
    public async Task ShortStandardSecret_FailsAtStartUp_NamingTheMinimum()
    {
        var services = new ServiceCollection();
        services.AddPostHogWebhooks("posthog", o => o.Secrets.Add(new PostHogWebhookSecret { Id = "short", Secret = "whsec_" + Convert.ToBase64String(new byte[23]) }));
        await using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptionsMonitor<PostHogWebhookOptions>>().Get("posthog"));

        Assert.Contains("decodes to 23 bytes", error.Message, StringComparison.Ordinal);
        Assert.Contains("at least 24", error.Message, StringComparison.Ordinal);
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        for (var i = 0; i < 100 && !condition(); i++)
        {
            await Task.Delay(20);
        }
    }

    [Fact]
    public async Task WrongSignature_Is401ProblemWithoutTheExpectedSignature()
    {
        var (app, http) = await StartAsync();
        await using var _ = app;
        var body = "{}"u8.ToArray();
        var expected = WebhookSigner.SignStandard(WebhookKey.FromStandardSecret("k", Secret), "msg_2", DateTimeOffset.UtcNow.ToUnixTimeSeconds(), body);

        using var response = await http.SendAsync(Delivery("msg_2", body, signature: "v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="));
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("No signature matches.", JsonDocument.Parse(text).RootElement.GetProperty("detail").GetString());
        Assert.DoesNotContain(expected[3..], text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MalformedHeaders_Are400_AndAnUnsignedDelivery_Is401()
    {
        var (app, http) = await StartAsync();
        await using var _ = app;

        using var malformed = await http.SendAsync(Delivery("msg_3", "{}"u8.ToArray(), timestamp: DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()));
        using var missing = await http.PostAsync("/webhooks/posthog", new StringContent("{}"));

        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, missing.StatusCode);
    }

    [Fact]
    public async Task OldTimestamp_Is401()
    {
        var (app, http) = await StartAsync();
        await using var _ = app;

        using var response = await http.SendAsync(Delivery("msg_4", "{}"u8.ToArray(), timestamp: DateTimeOffset.UtcNow.AddMinutes(-6).ToUnixTimeSeconds()));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task OversizedBody_Is413()
    {
        var (app, http) = await StartAsync();
        await using var _ = app;

        using var response = await http.SendAsync(Delivery("msg_5", new byte[65 * 1024]));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public void NoSecret_FailsAtStartUp()
    {
        var services = new ServiceCollection();
        services.AddPostHogWebhooks("posthog", _ => { });
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptionsMonitor<PostHogWebhookOptions>>().Get("posthog"));

        Assert.Contains("has no secret", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NotBase64Secret_FailsAtStartUp()
    {
        var services = new ServiceCollection();
        services.AddPostHogWebhooks("posthog", o => o.Secrets.Add(new PostHogWebhookSecret { Id = "bad", Secret = "whsec_not base64!" }));
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptionsMonitor<PostHogWebhookOptions>>().Get("posthog"));

        Assert.Contains("secret 'bad'", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("not base64!", error.Message, StringComparison.Ordinal);
    }

    private sealed class Levels : ILoggerProvider, ILogger
    {
        public List<(LogLevel Level, string Category, string Text, Exception? Error)> Seen { get; } = [];

        private string _category = string.Empty;

        public ILogger CreateLogger(string categoryName) => new Levels { _category = categoryName, SeenBy = this };

        private Levels? SeenBy { get; init; }

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var owner = SeenBy ?? this;
            lock (owner.Seen)
            {
                owner.Seen.Add((logLevel, _category, formatter(state, exception), exception));
            }
        }

        public void Dispose()
        {
        }
    }

    [Fact]
    public async Task ClientThatVanishesMidBody_IsOneDebugLine_NoErrorWithAStackTrace()
    {
        var levels = new Levels();
        var builder = WebApplication.CreateSlimBuilder(["--urls", "http://127.0.0.1:0"]);
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Trace);
        builder.Logging.AddProvider(levels);
        builder.Services.AddPostHogWebhooks("posthog", o => o.Secrets.Add(new PostHogWebhookSecret { Id = "current", Secret = Secret }));
        var app = builder.Build();
        app.MapPost("/webhooks/posthog", () => Results.Ok()).RequirePostHogSignature("posthog");
        await app.StartAsync();
        await using var _ = app;
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());

        using (var client = new System.Net.Sockets.TcpClient())
        {
            await client.ConnectAsync(address.Host, address.Port);
            var stream = client.GetStream();
            var head = $"POST /webhooks/posthog HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\nwebhook-id: m\r\nwebhook-timestamp: 1\r\nwebhook-signature: v1,x\r\n\r\n{{\"a\":";
            await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
            await stream.FlushAsync();
        }

        await Task.Delay(500);

        List<(LogLevel Level, string Category, string Text, Exception? Error)> seen;
        lock (levels.Seen)
        {
            seen = [.. levels.Seen];
        }

        Assert.DoesNotContain(seen, e => e.Level >= LogLevel.Error);
        Assert.Contains(seen, e => e.Level == LogLevel.Debug && e.Text.Contains("could not read a delivery's body", StringComparison.Ordinal));
    }
}
