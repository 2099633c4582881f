using System.Diagnostics;
using HogGuard.Audit;
using HogGuard.PostHogApi;
using HogGuard.Telemetry;
using HogGuard.Testing;
using HogGuard.Webhooks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace HogGuard.AspNetCore.Tests;

/// <summary>Tests that read HogGuard's process-wide meter run alone, so no other test's measurements mix in.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TelemetryCollection
{
    public const string Name = "telemetry";
}

/// <summary>
/// Every instrument of the meter "HogGuard" and the activities of the source "HogGuard", collected with
/// OpenTelemetry's in-memory exporter while a real service works against the emulator on loopback.
/// </summary>
[Collection(TelemetryCollection.Name)]
public sealed class TelemetryTests : IDisposable
{
    private static readonly Random Random = new(31337);
    private readonly string _folder = Directory.CreateTempSubdirectory("hogguard-telemetry-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static string Token(string prefix) => TestTokens.Make(prefix, base57: true, Random);

    [Fact]
    public async Task EveryInstrument_IsRecorded_WithItsUnitAndTags_AndNoKeyValue()
    {
        var metrics = new List<MetricSnapshot>();
        var activities = new List<Activity>();
        using var meters = Sdk.CreateMeterProviderBuilder().AddMeter(HogGuardTelemetry.Name).AddInMemoryExporter(metrics).Build();
        using var tracer = Sdk.CreateTracerProviderBuilder().AddSource(HogGuardTelemetry.Name).AddInMemoryExporter(activities).Build();

        var (projectToken, reader, writer) = (Token("phc_"), Token("phx_"), Token("phx_"));
        await using var emulator = await EmulatorHost.StartAsync(new SeedBuilder().Project(1, "Web", projectToken).User("svc@example.com", k => k
            .Key("reader", reader, ["insight:read"])
            .Key("writer", writer, ["insight:write"])));
        var secret = WebhookKey.NewStandardSecret();
        var audit = Path.Combine(_folder, "audit");
        var builder = WebApplication.CreateSlimBuilder(["--urls", "http://127.0.0.1:0"]);
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["PostHog:Host"] = emulator.Address,
            ["PostHog:ProjectToken"] = projectToken,
            ["PostHog:ReaderKey"] = reader,
            ["PostHog:WriterKey"] = writer,
        });
        builder.Services.AddPostHogSecurity(builder.Configuration);
        builder.Services.AddPostHogWebhooks("posthog", o =>
        {
            o.Secrets.Add(new PostHogWebhookSecret { Id = "current", Secret = secret });
            o.MaxBodyBytes = 1024;
        });
        await using var app = builder.Build();
        app.MapPost("/hook", () => Results.Ok()).RequirePostHogSignature("posthog");
        await app.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()) };

        // PostHog calls: one that works, one PostHog refuses (a key it does not know).
        var writerClient = app.Services.GetRequiredKeyedService<PostHogApiClient>(PostHogRoles.Writer);
        Assert.True((await writerClient.PostAsync("/api/projects/1/insights/", "{\"name\":\"t\"}")).IsOk);
        var unknown = Token("phx_");
        var refused = await app.Services.GetRequiredService<PostHogClient>().GetCurrentPersonalKeyAsync(emulator.Uri, new Keys.PostHogSecret(unknown));
        Assert.Equal(ApiOutcome.InvalidKey, refused.Outcome);

        // A scope refusal: the reader asked to write.
        await Assert.ThrowsAsync<PostHogScopeException>(() => app.Services.GetRequiredKeyedService<PostHogApiClient>(PostHogRoles.Reader).PostAsync("/api/projects/1/insights/", "{}"));

        // Webhook verdicts: valid, unsigned, too large.
        var body = "{\"event\":\"x\"}"u8.ToArray();
        var at = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        using (var signed = new HttpRequestMessage(HttpMethod.Post, "/hook") { Content = new ByteArrayContent(body) })
        {
            signed.Headers.Add("webhook-id", "msg_1");
            signed.Headers.Add("webhook-timestamp", at.ToString(System.Globalization.CultureInfo.InvariantCulture));
            signed.Headers.Add("webhook-signature", WebhookSigner.SignStandard(WebhookKey.FromStandardSecret("k", secret), "msg_1", at, body));
            Assert.True((await http.SendAsync(signed)).IsSuccessStatusCode);
        }

        Assert.Equal(401, (int)(await http.PostAsync("/hook", new ByteArrayContent(body))).StatusCode);
        Assert.Equal(413, (int)(await http.PostAsync("/hook", new ByteArrayContent(new byte[4096]))).StatusCode);

        // Audit entries, fsync, then shipping (lag 0 after a round that confirms them all).
        await using (var log = new FileAuditLog(new AuditLogOptions { Directory = audit }))
        {
            for (var i = 0; i < 3; i++)
            {
                await log.WriteAsync(new AuditEntry(DateTimeOffset.UtcNow, "flag.changed", "alice", $"flag/{i}", AuditOutcome.Success));
            }
        }

        var shipper = new AuditShipper(audit, app.Services.GetRequiredService<CaptureTransport>());
        Assert.Null((await shipper.ShipOnceAsync()).Failure);

        // Key age: one health probe.
        await app.Services.GetRequiredService<PostHogKeysHealthCache>().RefreshAsync();

        await app.StopAsync();
        meters.ForceFlush();
        tracer.ForceFlush();

        MetricSnapshot Only(string name, string unit)
        {
            var found = metrics.LastOrDefault(m => m.Name == name);
            Assert.True(found is not null, $"no {name} among {string.Join(", ", metrics.Select(m => m.Name).Distinct())}");
            Assert.Equal(unit, found.Unit);
            return found;
        }

        static Dictionary<string, object?> Tags(MetricPoint point)
        {
            var tags = new Dictionary<string, object?>();
            foreach (var tag in point.Tags)
            {
                tags[tag.Key] = tag.Value;
            }

            return tags;
        }

        long Sum(string name, string unit, Func<Dictionary<string, object?>, bool> where) =>
            Only(name, unit).MetricPoints.Where(p => where(Tags(p))).Sum(p => p.GetSumLong());

        bool Ours(Dictionary<string, object?> t) => Equals(t["server.address"], emulator.Uri.Host) && Equals(t["server.port"], emulator.Uri.Port);
        Assert.True(Sum("hogguard.posthog.requests", "{request}", t => Ours(t) && Equals(t["hogguard.posthog.outcome"], "ok")) >= 2);
        Assert.Equal(1, Sum("hogguard.posthog.requests", "{request}", t => Ours(t) && Equals(t["hogguard.posthog.outcome"], "invalid_key") && Equals(t["http.response.status_code"], 401)));
        Assert.Contains(Only("hogguard.posthog.request.duration", "s").MetricPoints, p => p.GetHistogramCount() > 0);
        Assert.Equal(1, Sum("hogguard.scope.refusals", "{request}", t => Equals(t["hogguard.role"], "reader") && Equals(t["hogguard.scope"], "insight:write")));
        foreach (var verdict in new[] { "valid", "missing_header", "body_too_large" })
        {
            Assert.Equal(1, Sum("hogguard.webhook.verifications", "{delivery}", t => Equals(t["hogguard.webhook.receiver"], "posthog") && Equals(t["hogguard.webhook.status"], verdict)));
        }

        Assert.Equal(3, Sum("hogguard.audit.entries", "{entry}", _ => true));
        Assert.Contains(Only("hogguard.audit.fsync.duration", "s").MetricPoints, p => p.GetHistogramCount() > 0);
        Assert.Equal(0, Assert.Single(Only("hogguard.audit.shipping.lag", "{entry}").MetricPoints).GetGaugeLastValueLong());
        var ages = Only("hogguard.key.age", "d").MetricPoints.Select(p => (Tags(p), p.GetGaugeLastValueDouble())).ToList();
        Assert.Contains(ages, a => Equals(a.Item1["hogguard.key.setting"], "WriterKey") && Equals(a.Item1["hogguard.key.fingerprint"], HogGuardTelemetry.KeyTag(new Keys.PostHogSecret(writer))) && a.Item2 is >= 0 and < 1);

        // Traces: PostHog calls as client activities, webhook verifications with their verdict.
        Assert.Contains(activities, a => a.OperationName == "posthog.request" && a.Kind == ActivityKind.Client && Equals(a.GetTagItem("hogguard.posthog.outcome"), "invalid_key") && a.Status == ActivityStatusCode.Error);
        Assert.Contains(activities, a => a.OperationName == "webhook.verify" && Equals(a.GetTagItem("hogguard.webhook.status"), "valid"));

        // No tag or activity carries a key.
        var everything = string.Join("\n", metrics.SelectMany(m => m.MetricPoints.SelectMany(p => Tags(p).Select(t => $"{t.Key}={t.Value}")))
            .Concat(activities.SelectMany(a => a.TagObjects.Select(t => $"{t.Key}={t.Value}").Append(a.DisplayName))));
        foreach (var value in new[] { reader, writer, unknown, projectToken, secret })
        {
            Assert.DoesNotContain(value, everything, StringComparison.Ordinal);
        }
    }
}
