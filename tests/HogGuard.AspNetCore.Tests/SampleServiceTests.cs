using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using HogGuard.Audit;
using HogGuard.Testing;
using HogGuard.Webhooks;

namespace HogGuard.AspNetCore.Tests;

/// <summary>The sample service as a real process against the emulator over loopback: clients, scope guard, webhook, audit shipping, health.</summary>
public sealed class SampleServiceTests : IDisposable
{
    private readonly string _audit = Directory.CreateTempSubdirectory("hogguard-sample-audit-").FullName;

    public void Dispose() => Directory.Delete(_audit, recursive: true);

    [Fact]
    public async Task Sample_UsesEveryPart_AgainstTheEmulator()
    {
        var random = new Random(11);
        var (reader, writer, projectToken) = (TestTokens.Make("phx_", true, random), TestTokens.Make("phx_", true, random), TestTokens.Make("phc_", true, random));
        var webhookSecret = WebhookKey.NewStandardSecret();
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
                    },
                },
            },
        };
        await using var emulator = await EmulatorHost.StartAsync(seed);
        var emulatorAddress = emulator.Uri;
        string log;
        await using (var process = await SampleProcess.StartAsync(null, new()
        {
            ["PostHog__Host"] = emulatorAddress.ToString(),
            ["PostHog__ProjectToken"] = projectToken,
            ["PostHog__ReaderKey"] = reader,
            ["PostHog__WriterKey"] = writer,
            ["PostHog__ProjectId"] = "1",
            ["PostHog__Webhook__Secrets__0__Id"] = "current",
            ["PostHog__Webhook__Secrets__0__Secret"] = webhookSecret,
            ["Audit__Directory"] = _audit,
            ["Audit__ShipIntervalSeconds"] = "1",
            ["Telemetry__Console"] = "true",
        }))
        {
            var http = process.Http;
            var health = await process.WaitHealthyAsync();
            Assert.True(health == "Healthy", $"/health answered {health}:\n{process.Output}");

            using var created = await http.PostAsJsonAsync("/insights", new { name = "weekly" });
            using var listed = await http.GetAsync("/insights");
            using var refused = await http.PostAsJsonAsync("/insights/via-reader", new { name = "sneaky" });
            var body = "{\"event\":\"$pageview\"}"u8.ToArray();
            var ts = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            using var signed = new HttpRequestMessage(HttpMethod.Post, "/webhooks/posthog") { Content = new ByteArrayContent(body) };
            signed.Headers.Add("webhook-id", "msg_sample_1");
            signed.Headers.Add("webhook-timestamp", ts.ToString(System.Globalization.CultureInfo.InvariantCulture));
            signed.Headers.Add("webhook-signature", WebhookSigner.SignStandard(WebhookKey.FromStandardSecret("k", webhookSecret), "msg_sample_1", ts, body));
            using var accepted = await http.SendAsync(signed);
            using var unsigned = await http.PostAsync("/webhooks/posthog", new ByteArrayContent(body));

            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            Assert.Equal(HttpStatusCode.OK, listed.StatusCode);
            Assert.Contains("weekly", await listed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            Assert.Contains("lacks the scope 'insight:write'", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, unsigned.StatusCode);

            // The audit entries and the captured event reach PostHog through the same transport.
            var deadline = DateTime.UtcNow.AddSeconds(20);
            List<string?> names = [];
            while (DateTime.UtcNow < deadline)
            {
                var events = await http.GetFromJsonAsync<JsonElement>(new Uri(emulatorAddress, "_emulator/events"));
                names = [.. events.EnumerateArray().Select(e => e.GetProperty("event").GetString())];
                if (names.Count(n => n == "hogguard_audit_entry") >= 2 && names.Contains("sample_webhook_received"))
                {
                    break;
                }

                await Task.Delay(200);
            }

            Assert.True(names.Count(n => n == "hogguard_audit_entry") == 2 && names.Contains("sample_webhook_received"), string.Join(", ", names) + "\n" + process.Output);
            log = process.Output;
        }

        // Asked to, the sample writes HogGuard's activities to the console (names and tags, never a key).
        Assert.Contains("posthog.request", log, StringComparison.Ordinal);
        Assert.Contains("webhook.verify", log, StringComparison.Ordinal);

        var verification = AuditVerifier.Verify(_audit);
        Assert.True(verification.IsIntact, verification.Detail);
        Assert.Equal(2, verification.Entries);
        Assert.DoesNotContain(reader, log, StringComparison.Ordinal);
        Assert.DoesNotContain(writer, log, StringComparison.Ordinal);
    }
}
