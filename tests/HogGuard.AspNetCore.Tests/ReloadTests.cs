using System.Text.Json;
using HogGuard.Keys;
using HogGuard.SecretStores;
using HogGuard.Testing;
using HogGuard.Webhooks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace HogGuard.AspNetCore.Tests;

/// <summary>
/// Keys and secrets that follow their configuration: real files watched by the configuration's own
/// reload (JSON with reloadOnChange, a dotenv file through AddDotEnvFile), the emulator on loopback.
/// </summary>
public sealed class ReloadTests : IDisposable
{
    private static readonly Random Random = new(1712);
    private readonly string _folder = Directory.CreateTempSubdirectory("hogguard-reload-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static string Token(string prefix) => TestTokens.Make(prefix, base57: true, Random);

    /// <summary>Writes a file the way an editor or a rotation does: a new file renamed over the old one.</summary>
    private static void Replace(string path, string text)
    {
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, text);
        File.Move(temporary, path, overwrite: true);
    }

    private static string Settings(string host, string writer, string? reader = null) => JsonSerializer.Serialize(new
    {
        PostHog = new Dictionary<string, string?> { ["Host"] = host, ["WriterKey"] = writer, ["ReaderKey"] = reader },
    });

    private static async Task EventuallyAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"never happened: {what}");
            await Task.Delay(50);
        }
    }

    private (ServiceProvider Provider, ListLoggerProvider Log) Start(Action<IConfigurationBuilder> sources)
    {
        var builder = new ConfigurationBuilder().SetBasePath(_folder);
        sources(builder);
        var configuration = builder.Build();
        var log = new ListLoggerProvider();
        var services = new ServiceCollection();
        services.AddLogging(l => l.AddProvider(log));
        services.AddSingleton<IConfiguration>(configuration);
        services.AddPostHogSecurity(configuration);
        return (services.BuildServiceProvider(), log);
    }

    /// <summary>The service's settings in appsettings.json (reload on), the writer on <paramref name="writer"/>.</summary>
    private (string Path, ServiceProvider Provider, ListLoggerProvider Log, PostHogApiClient Writer) StartWithJson(EmulatorHost emulator, string writer)
    {
        var path = Path.Combine(_folder, "appsettings.json");
        File.WriteAllText(path, Settings(emulator.Address, writer));
        var (provider, log) = Start(b => b.AddJsonFile("appsettings.json", optional: false, reloadOnChange: true));
        return (path, provider, log, provider.GetRequiredKeyedService<PostHogApiClient>(PostHogRoles.Writer));
    }

    private static async Task<(EmulatorHost Emulator, string First, string Second)> EmulatorAsync()
    {
        var (first, second) = (Token("phx_"), Token("phx_"));
        var emulator = await EmulatorHost.StartAsync(new SeedBuilder()
            .Project(1, "Web", Token("phc_"))
            .User("svc@example.com", keys => keys
                .Key("writer-1", first, ["insight:write"])
                .Key("writer-2", second, ["insight:write", "dashboard:write"])));
        return (emulator, first, second);
    }

    [Fact]
    public async Task JsonReload_TheWriterUsesTheNewKeyForItsNextRequest_AndReadsItsScopes()
    {
        var (emulator, first, second) = await EmulatorAsync();
        await using var _ = emulator;
        var (path, provider, log, writer) = StartWithJson(emulator, first);
        using var __ = provider;
        Assert.Equal(["insight:write"], await writer.GetScopesAsync());
        Assert.True((await writer.PostAsync("/api/projects/1/insights/", "{\"name\":\"before\"}")).IsOk);

        Replace(path, Settings(emulator.Address, second));
        var fingerprint = new PostHogSecret(second).Fingerprint;
        await EventuallyAsync(() => writer.Key.Contains(fingerprint, StringComparison.Ordinal), "the writer picks up the new key");

        // The old key is deleted in PostHog (by its owner, logged in); the writer's next request still succeeds, with the new one.
        using var http = new HttpClient();
        http.DefaultRequestHeaders.Add("X-Emulator-Session", "svc@example.com");
        var keys = JsonDocument.Parse(await http.GetStringAsync(emulator.Address + "/api/personal_api_keys/")).RootElement;
        var oldId = keys.EnumerateArray().Single(k => k.GetProperty("label").GetString() == "writer-1").GetProperty("id").GetString();
        Assert.True((await http.DeleteAsync($"{emulator.Address}/api/personal_api_keys/{oldId}/")).IsSuccessStatusCode);
        var after = await writer.PostAsync("/api/projects/1/insights/", "{\"name\":\"after\"}");

        Assert.True(after.IsOk, after.Detail);
        Assert.Equal(["dashboard:write", "insight:write"], (await writer.GetScopesAsync()).Order());
        Assert.Contains(log.Entries, e => e.Level == LogLevel.Information && e.Text.Contains("Reloaded PostHogSecurityOptions in use (generation 2)", StringComparison.Ordinal));
        Assert.DoesNotContain(log.Messages, m => m.Contains(first, StringComparison.Ordinal) || m.Contains(second, StringComparison.Ordinal));
    }

    [Fact]
    public async Task InvalidReload_KeepsTheLastValidKey_AndLogsOneLineNamingTheSetting()
    {
        var (emulator, first, second) = await EmulatorAsync();
        await using var _ = emulator;
        var (path, provider, log, writer) = StartWithJson(emulator, first);
        using var __ = provider;
        var before = writer.Key;

        // A project secret key pasted where the writer's personal key belongs.
        var wrong = Token("phs_");
        Replace(path, Settings(emulator.Address, wrong));
        await EventuallyAsync(() => log.Entries.Any(e => e.Level == LogLevel.Error), "the refused reload is logged");
        var written = await writer.PostAsync("/api/projects/1/insights/", "{\"name\":\"still\"}");

        var error = Assert.Single(log.Entries, e => e.Level == LogLevel.Error);
        Assert.Contains("Reloaded PostHogSecurityOptions refused; the last valid settings stay in use", error.Text, StringComparison.Ordinal);
        Assert.Contains("PostHog:WriterKey must be a phx_ personal API key", error.Text, StringComparison.Ordinal);
        Assert.Contains(SecretMasking.Mask(wrong), error.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(wrong, error.Text, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Text);
        Assert.Equal(before, writer.Key);
        Assert.True(written.IsOk, written.Detail);

        // A good value after the bad one is taken: the refusal left nothing stuck.
        Replace(path, Settings(emulator.Address, second));
        var fingerprint = new PostHogSecret(second).Fingerprint;
        await EventuallyAsync(() => writer.Key.Contains(fingerprint, StringComparison.Ordinal), "the writer picks up the next valid key");
    }

    [Fact]
    public async Task Reload_ThatDropsAKey_IsRefused_SoAFileCaughtEmptyNeverUnsetsIt()
    {
        var (emulator, first, _) = await EmulatorAsync();
        await using var _ = emulator;
        var (path, provider, log, writer) = StartWithJson(emulator, first);
        using var __ = provider;
        var before = writer.Key;

        Replace(path, "{ \"PostHog\": { \"Host\": \"" + emulator.Address + "\" } }");
        await EventuallyAsync(() => log.Entries.Any(e => e.Level == LogLevel.Error), "the refused reload is logged");

        Assert.Contains("PostHog:WriterKey (" + SecretMasking.Mask(first) + ") is no longer set", Assert.Single(log.Entries, e => e.Level == LogLevel.Error).Text, StringComparison.Ordinal);
        Assert.Equal(before, writer.Key);
        Assert.True((await writer.PostAsync("/api/projects/1/insights/", "{\"name\":\"kept\"}")).IsOk);
    }

    [Fact]
    public async Task Reload_OfAFileCaughtHalfWritten_KeepsTheKey_AndTheNextWholeFileIsTaken()
    {
        var (emulator, first, second) = await EmulatorAsync();
        await using var _ = emulator;
        var path = Path.Combine(_folder, "appsettings.json");
        var other = Path.Combine(_folder, "other.json");
        File.WriteAllText(path, Settings(emulator.Address, first));
        File.WriteAllText(other, "{ \"Other\": \"1\" }");
        var (provider, log) = Start(b => b.AddJsonFile("appsettings.json", optional: false, reloadOnChange: true).AddJsonFile("other.json", optional: false, reloadOnChange: true));
        using var __ = provider;
        var configuration = provider.GetRequiredService<IConfiguration>();
        var writer = provider.GetRequiredKeyedService<PostHogApiClient>(PostHogRoles.Writer);
        var before = writer.Key;

        // An editor that writes in place: the watcher reads the file cut short, which is not JSON. The
        // JSON provider then holds nothing for it (and says nothing); the next change anywhere in the
        // configuration would bind a PostHog section without keys.
        var whole = Settings(emulator.Address, second);
        File.WriteAllText(path, whole[..(whole.Length / 2)]);
        await EventuallyAsync(() => configuration["PostHog:WriterKey"] is null, "the JSON provider drops the half-written file");
        File.WriteAllText(other, "{ \"Other\": \"2\" }");
        await EventuallyAsync(() => log.Entries.Any(e => e.Level == LogLevel.Error), "the refused reload is logged");

        Assert.Contains("PostHog:WriterKey (" + SecretMasking.Mask(first) + ") is no longer set", Assert.Single(log.Entries, e => e.Level == LogLevel.Error).Text, StringComparison.Ordinal);
        Assert.Equal(before, writer.Key);
        Assert.True((await writer.PostAsync("/api/projects/1/insights/", "{\"name\":\"kept\"}")).IsOk);
        File.WriteAllText(path, whole);
        var fingerprint = new PostHogSecret(second).Fingerprint;
        await EventuallyAsync(() => writer.Key.Contains(fingerprint, StringComparison.Ordinal), "the writer picks up the whole file");
    }

    [Fact]
    public async Task DotEnvFile_IsReadWithTheRotationStoresParser_AndAWriteByTheStoreReachesTheClient()
    {
        var (emulator, first, second) = await EmulatorAsync();
        await using var _ = emulator;
        var path = Path.Combine(_folder, ".env");
        File.WriteAllText(path, $"# service settings\nexport PostHog__Host=\"{emulator.Address}\"\nPostHog__WriterKey={first} # rotated by hogguard\nOTHER='a b'\n");
        var (provider, _) = Start(b => b.AddDotEnvFile(".env", reloadOnChange: true));
        using var __ = provider;
        var configuration = provider.GetRequiredService<IConfiguration>();
        var writer = provider.GetRequiredKeyedService<PostHogApiClient>(PostHogRoles.Writer);

        Assert.Equal(emulator.Address, configuration["PostHog:Host"]);
        Assert.Equal(first, configuration["PostHog:WriterKey"]);
        Assert.Equal("a b", configuration["OTHER"]);
        Assert.Contains(new PostHogSecret(first).Fingerprint, writer.Key, StringComparison.Ordinal);

        // The rotation store writes the new key in place (keeping the comment); the running client follows.
        var store = new DotenvSecretStore("test", path, "PostHog__WriterKey");
        store.Write(store.Read(), second, null, null);
        var fingerprint = new PostHogSecret(second).Fingerprint;
        await EventuallyAsync(() => writer.Key.Contains(fingerprint, StringComparison.Ordinal), "the writer picks up the key the store wrote");

        Assert.Contains($"PostHog__WriterKey={second} # rotated by hogguard", File.ReadAllText(path), StringComparison.Ordinal);
        Assert.True((await writer.PostAsync("/api/projects/1/insights/", "{\"name\":\"dotenv\"}")).IsOk);
    }

    [Fact]
    public async Task UserSecrets_ARotationOfSecretsJson_ReachesTheRunningClient()
    {
        var (emulator, first, second) = await EmulatorAsync();
        await using var _ = emulator;
        var id = "hogguard-test-" + Guid.NewGuid().ToString("N");
        var folder = Path.Combine(SecretStoreFactory.DefaultUserSecretsRoot(), id);
        Directory.CreateDirectory(folder);
        try
        {
            // As `dotnet user-secrets set` writes it: flat "Section:Key" names.
            var path = Path.Combine(folder, "secrets.json");
            File.WriteAllText(path, JsonSerializer.Serialize(new Dictionary<string, string> { ["PostHog:Host"] = emulator.Address, ["PostHog:WriterKey"] = first }));
            var (provider, _) = Start(b => b.AddUserSecrets(id, reloadOnChange: true));
            using var __ = provider;
            var writer = provider.GetRequiredKeyedService<PostHogApiClient>(PostHogRoles.Writer);
            Assert.Contains(new PostHogSecret(first).Fingerprint, writer.Key, StringComparison.Ordinal);

            var store = new JsonSecretStore("test", path, "PostHog:WriterKey");
            store.Write(store.Read(), second, null, null);
            var fingerprint = new PostHogSecret(second).Fingerprint;
            await EventuallyAsync(() => writer.Key.Contains(fingerprint, StringComparison.Ordinal), "the writer picks up the key written to secrets.json");
            Assert.True((await writer.PostAsync("/api/projects/1/insights/", "{\"name\":\"secrets\"}")).IsOk);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void DotEnvFile_MissingAndNotOptional_FailsAtBuild_NamingTheFile()
    {
        var error = Assert.ThrowsAny<IOException>(() => new ConfigurationBuilder().SetBasePath(_folder).AddDotEnvFile("missing.env").Build());

        Assert.Contains("missing.env", error.Message, StringComparison.Ordinal);
        Assert.Empty(new ConfigurationBuilder().SetBasePath(_folder).AddDotEnvFile("missing.env", optional: true).Build().AsEnumerable());
    }

    [Fact]
    public async Task DotEnvFile_AFifoOrAHugeFile_IsRefusedNamingIt_AndNeverBlocksTheStart()
    {
        var fifo = Path.Combine(_folder, ".env");
        var (code, output) = ProcessRunner.Run("mkfifo", [fifo]);
        Assert.True(code == 0, output);
        var start = Task.Run(() => new ConfigurationBuilder().SetBasePath(_folder).AddDotEnvFile(".env").Build());
        var finished = await Task.WhenAny(start, Task.Delay(TimeSpan.FromSeconds(20)));

        Assert.Same(start, finished);
        var error = await Assert.ThrowsAnyAsync<IOException>(() => start);
        Assert.Contains(fifo, error.Message, StringComparison.Ordinal);
        Assert.Contains("not a regular file", error.Message, StringComparison.Ordinal);

        var huge = Path.Combine(_folder, "huge.env");
        File.WriteAllText(huge, "A=" + new string('x', DotenvFile.MaxFileBytes) + "\n");
        var tooLarge = Assert.ThrowsAny<IOException>(() => new ConfigurationBuilder().AddDotEnvFile(huge).Build());
        Assert.Contains("huge.env is larger than", tooLarge.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DotEnvFile_DeletedWhileRunning_KeepsItsSettings_AndTakesTheNextFile()
    {
        var (emulator, first, second) = await EmulatorAsync();
        await using var _ = emulator;
        var path = Path.Combine(_folder, ".env");
        File.WriteAllText(path, $"PostHog__Host={emulator.Address}\nPostHog__WriterKey={first}\n");
        var (provider, log) = Start(b => b.AddDotEnvFile(".env", reloadOnChange: true));
        using var __ = provider;
        var configuration = provider.GetRequiredService<IConfiguration>();
        var writer = provider.GetRequiredKeyedService<PostHogApiClient>(PostHogRoles.Writer);

        File.Delete(path);
        await Task.Delay(1000);
        Assert.Equal(first, configuration["PostHog:WriterKey"]);
        Assert.Contains(new PostHogSecret(first).Fingerprint, writer.Key, StringComparison.Ordinal);

        File.WriteAllText(path, $"PostHog__Host={emulator.Address}\nPostHog__WriterKey={second}\n");
        var fingerprint = new PostHogSecret(second).Fingerprint;
        await EventuallyAsync(() => writer.Key.Contains(fingerprint, StringComparison.Ordinal), "the writer picks up the new file");
        Assert.DoesNotContain(log.Entries, e => e.Level == LogLevel.Error);
    }

    [Fact]
    public async Task WebhookKeyring_TakesTheNewSecret_AndKeepsTheDroppedOneForItsOverlapFromTheReload()
    {
        var (old, fresh) = (WebhookKey.NewStandardSecret(), WebhookKey.NewStandardSecret());
        string Keyring(string secret) => JsonSerializer.Serialize(new { Webhook = new { PreviousSecretOverlap = "01:00:00", Secrets = new[] { new { Id = "current", Secret = secret } } } });
        var path = Path.Combine(_folder, "webhooks.json");
        File.WriteAllText(path, Keyring(old));
        var configuration = new ConfigurationBuilder().SetBasePath(_folder).AddJsonFile("webhooks.json", optional: false, reloadOnChange: true).Build();
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        var log = new ListLoggerProvider();
        var services = new ServiceCollection();
        services.AddLogging(l => l.AddProvider(log));
        services.AddSingleton<TimeProvider>(time);
        services.AddPostHogWebhooks("posthog", configuration.GetSection("Webhook"));
        using var provider = services.BuildServiceProvider();
        var registry = provider.GetRequiredService<PostHogWebhookRegistry>();
        var body = "{\"event\":\"x\"}"u8.ToArray();
        var sent = 0;
        WebhookVerificationResult Deliver(string secret)
        {
            var id = "msg_" + sent++;
            var at = time.GetUtcNow().ToUnixTimeSeconds();
            using var key = WebhookKey.FromStandardSecret("sender", secret);
            return registry.Get("posthog").Verifier.Verify(id, at.ToString(System.Globalization.CultureInfo.InvariantCulture), WebhookSigner.SignStandard(key, id, at, body), body);
        }

        Assert.Equal("current", Deliver(old).KeyId);
        Assert.Equal(WebhookVerificationStatus.NoMatchingSignature, Deliver(fresh).Status);
        var ledger = registry.Get("posthog").Ledger;

        Replace(path, Keyring(fresh));
        await EventuallyAsync(() => Deliver(fresh).IsValid, "the receiver takes the new secret");

        // Deliveries PostHog signed with the dropped secret still pass for the overlap, counted from the reload.
        time.Advance(TimeSpan.FromMinutes(59));
        Assert.Equal("current (previous)", Deliver(old).KeyId);
        Assert.Equal("current", Deliver(fresh).KeyId);
        time.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(WebhookVerificationStatus.NoMatchingSignature, Deliver(old).Status);
        Assert.True(Deliver(fresh).IsValid);
        Assert.Same(ledger, registry.Get("posthog").Ledger);

        // A keyring with no secret is refused: the running receiver keeps the one it has.
        Replace(path, JsonSerializer.Serialize(new { Webhook = new { Secrets = Array.Empty<object>() } }));
        await EventuallyAsync(() => log.Entries.Any(e => e.Level == LogLevel.Error), "the refused reload is logged");
        Assert.Contains("PostHog webhook receiver 'posthog' has no secret", Assert.Single(log.Entries, e => e.Level == LogLevel.Error).Text, StringComparison.Ordinal);
        Assert.True(Deliver(fresh).IsValid);
        Assert.DoesNotContain(log.Messages, m => m.Contains(fresh, StringComparison.Ordinal) || m.Contains(old, StringComparison.Ordinal));
    }
}
