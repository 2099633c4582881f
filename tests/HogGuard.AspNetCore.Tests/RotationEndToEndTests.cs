using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using HogGuard.Audit;
using HogGuard.Keys;
using HogGuard.Testing;
using HogGuard.Webhooks;

namespace HogGuard.AspNetCore.Tests;

/// <summary>
/// The whole story: the sample service runs as a process with its keys in appsettings.Production.json
/// (reloaded on change), a client keeps calling it, and <c>hogguard keys rotate</c> replaces its
/// <c>phs_</c> flags key and (guided) its <c>phx_</c> writer key against the emulator. No request
/// fails, the service ends on the new keys without a restart, the old keys are refused, and the
/// audit log holds every step.
/// </summary>
public sealed class RotationEndToEndTests : IDisposable
{
    private const string Person = "admin@example.com";
    private static readonly Random Random = new(4242);
    private readonly string _folder = Directory.CreateTempSubdirectory("hogguard-e2e-rotation-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static string Token(string prefix) => TestTokens.Make(prefix, base57: true, Random);

    [Fact]
    public async Task RunningService_FollowsBothRotations_WithoutAFailedRequest()
    {
        var (projectToken, reader, writer, flags, rotator) = (Token("phc_"), Token("phx_"), Token("phx_"), Token("phs_"), Token("phx_"));
        await using var emulator = await EmulatorHost.StartAsync(new SeedBuilder()
            .Project(1, "Web", projectToken, keys => keys.Key("flags", flags, ["feature_flag:read"]))
            .User(Person, keys => keys
                .Key("reader", reader, ["insight:read"])
                .Key("writer", writer, ["insight:write"])
                .Key("rotator", rotator, ["project:write"])));
        File.WriteAllText(Path.Combine(_folder, "appsettings.Production.json"), JsonSerializer.Serialize(new
        {
            PostHog = new
            {
                Host = emulator.Address,
                ProjectId = "1",
                ProjectToken = projectToken,
                ReaderKey = reader,
                WriterKey = writer,
                SecretKey = flags,
                Webhook = new { Secrets = new[] { new { Id = "current", Secret = WebhookKey.NewStandardSecret() } } },
            },
        }));
        File.WriteAllText(Path.Combine(_folder, "hogguard.yml"), """
            environments:
              production:
                project: 1
                keys:
                  - { name: writer, source: "json:appsettings.Production.json#PostHog:WriterKey", purpose: writer, scopes: [insight:write] }
                  - { name: flags, source: "json:appsettings.Production.json#PostHog:SecretKey", purpose: flags, scopes: [feature_flag:read] }
            rotation:
              rotator: env:POSTHOG_ROTATOR
            audit:
              directory: audit
            """);

        await using var service = await SampleProcess.StartAsync(_folder, new() { ["ASPNETCORE_ENVIRONMENT"] = "Production", ["Audit__Directory"] = Path.Combine(_folder, "service-audit") });
        var http = service.Http;
        await service.WaitHealthyAsync();
        var before = await KeysInUseAsync(http);
        Assert.Contains(new PostHogSecret(writer).Fingerprint, before.Writer, StringComparison.Ordinal);
        Assert.Contains(new PostHogSecret(flags).Fingerprint, before.Flags, StringComparison.Ordinal);

        // A client calls the writer and the flags endpoint without pause for the whole rotation.
        using var stop = new CancellationTokenSource();
        var failures = new List<string>();
        var calls = 0;
        var load = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var created = await http.PostAsJsonAsync("/insights", new { name = "load" }, CancellationToken.None);
                using var listed = await http.GetAsync("/flags", CancellationToken.None);
                Interlocked.Add(ref calls, 2);
                foreach (var answer in new[] { created, listed })
                {
                    if (!answer.IsSuccessStatusCode)
                    {
                        var why = $"{answer.RequestMessage!.Method} {answer.RequestMessage.RequestUri!.AbsolutePath}: {(int)answer.StatusCode} {await answer.Content.ReadAsStringAsync(CancellationToken.None)}";
                        lock (failures)
                        {
                            failures.Add(why);
                        }
                    }
                }
            }
        });

        var environment = new Dictionary<string, string> { ["POSTHOG_ROTATOR"] = rotator };

        // 1. The phs_ flags key: HogGuard creates the new key, makes it current, gives the service 3 s, deletes the old.
        var secret = await Tool.RunAsync(_folder, environment, null, "keys", "rotate", "--env", "production", "--key", "flags", "--host", emulator.Address, "--grace", "3");
        Assert.True(secret.Code == 0, secret.Output);

        // 2. The phx_ writer key, guided: the person creates the new key and pastes it; once the service
        //    uses it, the person deletes the old one, which HogGuard waits to see refused.
        var fresh = (await AsPersonAsync(emulator, HttpMethod.Post, "/api/personal_api_keys/", new { label = "writer 2", scopes = new[] { "insight:write" } })).GetProperty("value").GetString()!;
        var personal = Tool.RunAsync(_folder, environment, fresh + "\n", "keys", "rotate", "--env", "production", "--key", "writer", "--host", emulator.Address, "--wait", "--poll-interval", "1", "--grace", "3");
        var freshFingerprint = new PostHogSecret(fresh).Fingerprint;
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!(await KeysInUseAsync(http)).Writer.Contains(freshFingerprint, StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline && !personal.IsCompleted, "the service never took the new writer key: " + (personal.IsCompleted ? (await personal).Output : string.Empty));
            await Task.Delay(100);
        }

        var keys = await AsPersonAsync(emulator, HttpMethod.Get, "/api/personal_api_keys/");
        var oldId = keys.EnumerateArray().Single(k => k.GetProperty("label").GetString() == "writer").GetProperty("id").GetString();
        await AsPersonAsync(emulator, HttpMethod.Delete, $"/api/personal_api_keys/{oldId}/");
        var guided = await personal;
        Assert.True(guided.Code == 0, guided.Output);

        await Task.Delay(1000);
        await stop.CancelAsync();
        await load;

        Assert.True(failures.Count == 0, $"{failures.Count} of {calls} requests failed during the rotations:\n{string.Join("\n", failures.Take(10))}\n{service.Output}");
        Assert.True(calls >= 20, $"only {calls} requests were made during the rotations");
        var after = await KeysInUseAsync(http);
        Assert.Contains(freshFingerprint, after.Writer, StringComparison.Ordinal);
        Assert.DoesNotContain(new PostHogSecret(flags).Fingerprint, after.Flags, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusOfAsync(emulator, writer));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusOfAsync(emulator, flags));

        // The audit log holds every step of both rotations, intact.
        var audit = Path.Combine(_folder, "audit");
        Assert.True(AuditVerifier.Verify(audit).IsIntact, AuditVerifier.Verify(audit).Detail);
        var actions = AuditReader.ReadAfter(audit, 0).Lines.Select(l => JsonDocument.Parse(l).RootElement).Select(e => $"{e.GetProperty("resource").GetString()} {e.GetProperty("action").GetString()}").ToList();
        foreach (var key in new[] { "production/flags", "production/writer" })
        {
            foreach (var step in new[] { "started", "requested", "obtained", "verified", "promoted", "revoked", "done" })
            {
                Assert.Contains($"{key} key.rotate.{step}", actions);
            }
        }

        foreach (var value in new[] { writer, flags, fresh, rotator })
        {
            Assert.DoesNotContain(value, service.Output, StringComparison.Ordinal);
            Assert.DoesNotContain(value, secret.Output + guided.Output, StringComparison.Ordinal);
        }
    }

    private static async Task<KeysInUse> KeysInUseAsync(HttpClient http) =>
        (await http.GetFromJsonAsync<KeysInUse>("/posthog/keys"))!;

    private static async Task<HttpStatusCode> StatusOfAsync(EmulatorHost emulator, string key)
    {
        using var http = new HttpClient();
        var path = key.StartsWith("phx_", StringComparison.Ordinal) ? "/api/personal_api_keys/@current/" : "/flags/definitions";
        using var request = new HttpRequestMessage(HttpMethod.Get, emulator.Address + path);
        request.Headers.Authorization = new("Bearer", key);
        using var response = await http.SendAsync(request);
        return response.StatusCode;
    }

    private static Task<JsonElement> AsPersonAsync(EmulatorHost emulator, HttpMethod method, string path, object? body = null) =>
        emulator.AsPersonAsync(Person, method, path, body);

    private sealed record KeysInUse(string Reader, string Writer, string Flags);

    /// <summary>The hogguard tool as users run it (<c>dotnet hogguard.dll</c>), in a folder, with input on stdin.</summary>
    private static class Tool
    {
        public static async Task<(int Code, string Output)> RunAsync(string folder, Dictionary<string, string> environment, string? stdin, params string[] args)
        {
            var info = new ProcessStartInfo("dotnet") { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
            info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "hogguard.dll"));
            foreach (var arg in args)
            {
                info.ArgumentList.Add(arg);
            }

            foreach (var (name, value) in environment)
            {
                info.Environment[name] = value;
            }

            using var process = Process.Start(info)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            await process.StandardInput.WriteAsync(stdin ?? string.Empty);
            process.StandardInput.Close();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
            await process.WaitForExitAsync(timeout.Token);
            return (process.ExitCode, $"exit {process.ExitCode}\n{await output}\n{await error}");
        }
    }
}
