using HogGuard.Configuration;
using HogGuard.Keys;
using HogGuard.PostHogApi;
using HogGuard.Rotation;
using HogGuard.SecretStores;

namespace HogGuard.Emulator.Tests;

/// <summary>The rotation library in-process against the emulator over loopback: no tool, no flags in its words.</summary>
public sealed class KeyRotatorTests : IAsyncLifetime, IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("hogguard-rotator-").FullName;
    private RunningEmulator _emulator = null!;

    public async Task InitializeAsync() => _emulator = await RunningEmulator.StartAsync();

    public async Task DisposeAsync() => await _emulator.DisposeAsync();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private sealed class Prompt : IRotationPrompt
    {
        public List<string> Said { get; } = [];

        public void Say(string text) => Said.Add(text);

        public string? ReadSecret(string question) => null;

        public bool Confirm(string question) => false;
    }

    private (RotationContext Context, string Dotenv, HttpClient Http) Context(Action<string>? fault = null)
    {
        var dotenv = Path.Combine(_dir, ".env");
        if (!File.Exists(dotenv))
        {
            File.WriteAllText(dotenv, $"# flags\nPOSTHOG_FLAGS_KEY={RunningEmulator.Secret("flags")}\n");
        }

        var source = new KeySource("dotenv", ".env", "POSTHOG_FLAGS_KEY");
        var policy = new KeyPolicy("prod", "flags", source, KeyPurpose.Flags, null, null, false, 1, 1);
        var http = new HttpClient();
        var context = new RotationContext(
            new PostHogClient(http, new PostHogClientOptions { MaxRetries = 0 }),
            PostHogHost.For(_emulator.Address),
            SecretStoreFactory.For(source, _dir),
            policy,
            RotationJournalStore.Beside(Path.Combine(_dir, HogGuardConfig.FileName)),
            new Prompt())
        {
            Rotator = new PostHogSecret(RunningEmulator.Personal("all")),
            FaultPoint = fault,
        };
        return (context, dotenv, http);
    }

    [Fact]
    public async Task Rotate_ProjectSecretKey_EndsDone_WithTheNewKeyStored_AndTheOldOneRefused()
    {
        var (context, dotenv, http) = Context();
        using (http)
        {
            var done = await new KeyRotator(context).StartAsync();

            Assert.Equal(RotationState.Done, done.State);
            Assert.Equal(RotationMethod.CreateSecretKey, done.Method);
            var text = File.ReadAllText(dotenv);
            Assert.StartsWith("# flags\nPOSTHOG_FLAGS_KEY=phs_", text, StringComparison.Ordinal);
            Assert.DoesNotContain(RunningEmulator.Secret("flags"), text, StringComparison.Ordinal);
            Assert.DoesNotContain("_NEXT", text, StringComparison.Ordinal);
            var old = await context.Client.CheckFlagDefinitionsAsync(context.Host.Ingestion, new PostHogSecret(RunningEmulator.Secret("flags")), _emulator.ProjectToken);
            Assert.Equal(ApiOutcome.InvalidKey, old.Outcome);
        }
    }

    [Fact]
    public async Task Resume_AfterSomeoneChangedTheNewKey_StopsInTheLibrarysWords_AndAbortRestoresTheOldKey()
    {
        var (context, dotenv, http) = Context(point =>
        {
            if (point == "obtained")
            {
                throw new IOException("killed at obtained");
            }
        });
        using (http)
        {
            await Assert.ThrowsAsync<IOException>(() => new KeyRotator(context).StartAsync());
            var journal = Assert.Single(context.Journals.List());
            Assert.Equal(RotationState.Obtained, journal.State);
            File.WriteAllText(dotenv, File.ReadAllText(dotenv).Replace("POSTHOG_FLAGS_KEY_NEXT=phs_", "POSTHOG_FLAGS_KEY_NEXT=phs_x", StringComparison.Ordinal));

            var again = context with { FaultPoint = null };
            var stopped = await Assert.ThrowsAsync<RotationException>(() => new KeyRotator(again).RunAsync(journal));

            Assert.Contains($"Roll back with KeyRotator.AbortAsync on rotation {journal.Id}", stopped.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("--", stopped.Message, StringComparison.Ordinal);
            var aborted = await new KeyRotator(again).AbortAsync(journal);
            Assert.Equal(RotationState.Aborted, aborted.State);
            Assert.Equal($"# flags\nPOSTHOG_FLAGS_KEY={RunningEmulator.Secret("flags")}\n", File.ReadAllText(dotenv));
        }
    }

    [Fact]
    public async Task Grace_KeepsTheOldKeyAliveAfterThePromotion_AndAResumedRunWaitsOnlyTheRest()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        var (context, _, http) = Context(point =>
        {
            if (point == "promoted")
            {
                throw new IOException("killed at promoted");
            }
        });
        using (http)
        {
            context = context with { Grace = TimeSpan.FromMinutes(10), Time = clock };
            await Assert.ThrowsAsync<IOException>(() => new KeyRotator(context).StartAsync());
            var journal = Assert.Single(context.Journals.List());
            Assert.Equal(RotationState.Promoted, journal.State);
            var old = new PostHogSecret(RunningEmulator.Secret("flags"));

            // Eight minutes later the run is resumed: it waits the two minutes left, and the old key works until then.
            clock.Advance(TimeSpan.FromMinutes(8));
            var prompt = (Prompt)context.Prompt;
            var resumed = new KeyRotator(context with { FaultPoint = null }).RunAsync(journal);
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while (!prompt.Said.Any(l => l.Contains("waiting 120 s for running services", StringComparison.Ordinal)) && !resumed.IsCompleted && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }

            Assert.False(resumed.IsCompleted, "the resumed run deleted the old key before the grace ended");
            Assert.Contains(prompt.Said, l => l.Contains("waiting 120 s for running services to load it before the old key", StringComparison.Ordinal));
            Assert.Equal(ApiOutcome.Ok, (await context.Client.CheckFlagDefinitionsAsync(context.Host.Ingestion, old, _emulator.ProjectToken)).Outcome);

            clock.Advance(TimeSpan.FromMinutes(2));
            var done = await resumed.WaitAsync(TimeSpan.FromSeconds(30));

            Assert.Equal(RotationState.Done, done.State);
            Assert.Equal(ApiOutcome.InvalidKey, (await context.Client.CheckFlagDefinitionsAsync(context.Host.Ingestion, old, _emulator.ProjectToken)).Outcome);
        }
    }
}
