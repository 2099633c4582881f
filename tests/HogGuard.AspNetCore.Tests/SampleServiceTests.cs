using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
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
        // Port 0: the service takes a free port itself and logs it (a port picked here could be taken meanwhile).
        const string Url = "http://127.0.0.1:0";
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "HogGuard.Samples.Service.dll"));
        info.ArgumentList.Add("--urls");
        info.ArgumentList.Add(Url);
        info.Environment["PostHog__Host"] = emulatorAddress.ToString();
        info.Environment["PostHog__ProjectToken"] = projectToken;
        info.Environment["PostHog__ReaderKey"] = reader;
        info.Environment["PostHog__WriterKey"] = writer;
        info.Environment["PostHog__ProjectId"] = "1";
        info.Environment["PostHog__Webhook__Secrets__0__Id"] = "current";
        info.Environment["PostHog__Webhook__Secrets__0__Secret"] = webhookSecret;
        info.Environment["Audit__Directory"] = _audit;
        info.Environment["Audit__ShipIntervalSeconds"] = "1";
        using var process = Process.Start(info)!;
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            var url = await ListeningAddressAsync(process, output);
            using var http = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(10) };
            var health = await WaitForAsync(http, process, output);
            Assert.True(health == "Healthy", $"/health answered {health}:\n{output}");

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

            Assert.True(names.Count(n => n == "hogguard_audit_entry") == 2 && names.Contains("sample_webhook_received"), string.Join(", ", names) + "\n" + output);
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        var verification = AuditVerifier.Verify(_audit);
        Assert.True(verification.IsIntact, verification.Detail);
        Assert.Equal(2, verification.Entries);
        string log;
        lock (output)
        {
            log = output.ToString();
        }

        Assert.DoesNotContain(reader, log, StringComparison.Ordinal);
        Assert.DoesNotContain(writer, log, StringComparison.Ordinal);
    }

    /// <summary>The address Kestrel logs ("Now listening on: http://127.0.0.1:PORT").</summary>
    private static async Task<string> ListeningAddressAsync(Process process, StringBuilder output)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            string text;
            lock (output)
            {
                text = output.ToString();
            }

            var match = System.Text.RegularExpressions.Regex.Match(text, @"Now listening on: (http://127\.0\.0\.1:[0-9]+)");
            if (match.Success)
            {
                return match.Groups[1].Value;
            }

            Assert.False(process.HasExited, "the sample exited:\n" + text);
            await Task.Delay(100);
        }

        throw new TimeoutException("the sample did not say where it listens within 60 s:\n" + output);
    }

    private static async Task<string> WaitForAsync(HttpClient http, Process process, StringBuilder output)
    {
        // The key check runs in the background from the start: /health is degraded until its first probe ends.
        var deadline = DateTime.UtcNow.AddSeconds(60);
        string? last = null;
        while (DateTime.UtcNow < deadline)
        {
            Assert.False(process.HasExited, "the sample exited:\n" + output);
            try
            {
                using var response = await http.GetAsync("/health");
                last = await response.Content.ReadAsStringAsync();
                if (last == "Healthy")
                {
                    return last;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(200);
        }

        return last ?? throw new TimeoutException("the sample did not answer /health within 60 s:\n" + output);
    }
}
