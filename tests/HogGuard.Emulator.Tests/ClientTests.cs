using HogGuard.Keys;
using HogGuard.PostHogApi;
using System.Net.Http.Json;
using HogGuard.Detection;
using HogGuard.Liveness;

namespace HogGuard.Emulator.Tests;

/// <summary>The PostHog client against the emulator over loopback: outcomes, retries, timeouts, regions.</summary>
public sealed class ClientTests
{
    private static PostHogClient Client(HttpClient http, int timeoutMs = 2000) =>
        new(http, new PostHogClientOptions { AttemptTimeout = TimeSpan.FromMilliseconds(timeoutMs), BaseDelay = TimeSpan.FromMilliseconds(20), MaxRetries = 2 });

    private static async Task SetFaults(RunningEmulator emulator, object faults)
    {
        using var response = await emulator.Http.PutAsJsonAsync("/_emulator/faults", faults);
        Assert.Equal(204, (int)response.StatusCode);
    }

    [Fact]
    public async Task Current_TypedOutcomes_ForLiveInvalidAndMissingScope()
    {
        await using var emulator = await RunningEmulator.StartAsync();
        using var http = new HttpClient();
        var client = Client(http);

        var live = await client.GetCurrentPersonalKeyAsync(emulator.Address, new PostHogSecret(RunningEmulator.Personal("reader")));
        var invalid = await client.GetCurrentPersonalKeyAsync(emulator.Address, new PostHogSecret(RunningEmulator.Personal("gone")));
        var scope = await client.GetMeAsync(emulator.Address, new PostHogSecret(RunningEmulator.Personal("flags-writer")));

        Assert.Equal(ApiOutcome.Ok, live.Outcome);
        Assert.Equal(["user:read", "project:read"], live.Value!.Scopes);
        Assert.Equal([2], live.Value.ScopedTeams!);
        Assert.Equal(ApiOutcome.InvalidKey, invalid.Outcome);
        Assert.Equal(ApiOutcome.MissingScope, scope.Outcome);
        Assert.Equal("user:read", scope.MissingScope);
    }

    [Fact]
    public async Task ServerErrorsThen429_AreRetriedUntilSuccess()
    {
        await using var emulator = await RunningEmulator.StartAsync();
        await SetFaults(emulator, new object[] { new { route = "/api/users/", status = 500, count = 1 }, new { route = "/api/", status = 429, retry_after_seconds = 1, count = 1 } });
        using var http = new HttpClient();

        var result = await Client(http).GetMeAsync(emulator.Address, new PostHogSecret(RunningEmulator.Personal("all")));

        Assert.Equal(ApiOutcome.Ok, result.Outcome);
    }

    [Fact]
    public async Task SlowAnswer_TimesOutThenTheRetrySucceeds()
    {
        await using var emulator = await RunningEmulator.StartAsync();
        await SetFaults(emulator, new object[] { new { route = "/api/", latency_ms = 3000, count = 1 } });
        using var http = new HttpClient();

        var result = await Client(http, timeoutMs: 500).GetMeAsync(emulator.Address, new PostHogSecret(RunningEmulator.Personal("all")));

        Assert.Equal(ApiOutcome.Ok, result.Outcome);
    }

    [Fact]
    public async Task HostThatNeverAnswersInTime_IsUnreachableNamingIt()
    {
        await using var emulator = await RunningEmulator.StartAsync();
        await SetFaults(emulator, new object[] { new { route = "/api/", latency_ms = 3000, count = 0 } });
        using var http = new HttpClient();

        var result = await Client(http, timeoutMs: 200).GetMeAsync(emulator.Address, new PostHogSecret(RunningEmulator.Personal("all")));

        Assert.Equal(ApiOutcome.Unreachable, result.Outcome);
        Assert.Contains(emulator.Address.GetLeftPart(UriPartial.Authority), result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PersistentServerErrors_AreUnreachableAfterTheRetries()
    {
        await using var emulator = await RunningEmulator.StartAsync();
        await SetFaults(emulator, new object[] { new { route = "/api/", status = 503, count = 0 } });
        using var http = new HttpClient();

        var result = await Client(http).GetMeAsync(emulator.Address, new PostHogSecret(RunningEmulator.Personal("all")));

        Assert.Equal(ApiOutcome.Unreachable, result.Outcome);
        Assert.Contains("kept answering 503", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RegionDiscovery_AcrossTwoHosts_FindsTheOneThatKnowsTheKey()
    {
        await using var us = await RunningEmulator.StartAsync();
        await using var eu = await RunningEmulator.StartAsync();
        using var http = new HttpClient();
        var client = Client(http);

        // Revoke the key in "US", so only "EU" knows it.
        var key = new PostHogSecret(RunningEmulator.Personal("reader"));
        await client.RevokeLeakedKeyAsync(us.Address, key);

        var found = await client.DiscoverRegionAsync([us.Address, eu.Address], key);
        var nowhere = await client.DiscoverRegionAsync([us.Address, eu.Address], new PostHogSecret(RunningEmulator.Personal("nobody")));

        Assert.Equal(eu.Address, found!.Host);
        Assert.Null(nowhere);
    }

    [Fact]
    public async Task Verifier_EachKind_IsCheckedAsPostHogAllows()
    {
        await using var emulator = await RunningEmulator.StartAsync();
        using var http = new HttpClient();
        var verifier = new SecretVerifier(Client(http), [PostHogHost.For(emulator.Address)]);

        var personal = await verifier.VerifyAsync(new PostHogSecret(RunningEmulator.Personal("all")));
        var secret = await verifier.VerifyAsync(new PostHogSecret(RunningEmulator.Secret("flags")));
        var oauth = await verifier.VerifyAsync(new PostHogSecret(RunningEmulator.OAuth("access")));
        var refresh = await verifier.VerifyAsync(new PostHogSecret(RunningEmulator.Refresh("refresh")));
        var dead = await verifier.VerifyAsync(new PostHogSecret(RunningEmulator.OAuth("other")));

        Assert.Equal(VerificationStatus.Live, personal.Status);
        Assert.True(personal.CanWrite);
        Assert.Equal(VerificationStatus.Live, secret.Status);
        Assert.Equal(VerificationStatus.Live, oauth.Status);
        Assert.Equal(VerificationStatus.Unknown, refresh.Status);
        Assert.Equal(VerificationStatus.Invalid, dead.Status);
    }

    [Fact]
    public async Task Revoke_OAuthTokens_AreTyped()
    {
        await using var emulator = await RunningEmulator.StartAsync();
        using var http = new HttpClient();
        var client = Client(http);

        var access = await client.RevokeLeakedKeyAsync(emulator.Address, new PostHogSecret(RunningEmulator.OAuth("access")));
        var refresh = await client.RevokeLeakedKeyAsync(emulator.Address, new PostHogSecret(RunningEmulator.Refresh("refresh")));

        Assert.Equal("oauth_access_token", access.Value!.Type);
        Assert.Equal("oauth_refresh_token", refresh.Value!.Type);
    }

    [Fact]
    public async Task RemoteFlags_KnownProjectToken_IsAnswered()
    {
        await using var emulator = await RunningEmulator.StartAsync();

        using var known = await emulator.Http.PostAsJsonAsync("/flags?v=2", new { api_key = emulator.ProjectToken, distinct_id = "u" });
        using var unknown = await emulator.Http.PostAsJsonAsync("/flags?v=2", new { api_key = TestingTokens.Project(), distinct_id = "u" });

        Assert.Equal(200, (int)known.StatusCode);
        Assert.Equal(401, (int)unknown.StatusCode);
    }
}

internal static class TestingTokens
{
    public static string Project() => HogGuard.Testing.TestTokens.Make("phc_", base57: true, new Random(99));
}
