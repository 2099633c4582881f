using System.Net.Http.Json;

namespace HogGuard.Emulator.Tests;

public sealed class IdentityEndpointTests
{
    [Fact]
    public async Task Current_ValidKey_ReturnsItselfMaskedWithoutValue()
    {
        await using var emulator = await RunningEmulator.StartAsync();
        var key = RunningEmulator.Personal("reader");

        var (status, body) = await emulator.SendAsync(emulator.Get("/api/personal_api_keys/@current/", key));

        Assert.Equal(200, status);
        Assert.Equal("reader", body.GetProperty("label").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, body.GetProperty("value").ValueKind);
        Assert.Equal($"{key[..4]}...{key[^4..]}", body.GetProperty("mask_value").GetString());
        Assert.Equal([2], body.GetProperty("scoped_teams").EnumerateArray().Select(e => e.GetInt32()));
        // posthog/auth.py stamps last_used_at on the request that authenticates, and @current shows it.
        Assert.NotEqual(System.Text.Json.JsonValueKind.Null, body.GetProperty("last_used_at").ValueKind);
        Assert.DoesNotContain(key, body.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Current_UnknownKey_Is401WithPostHogsBody()
    {
        await using var emulator = await RunningEmulator.StartAsync();

        var (status, body) = await emulator.SendAsync(emulator.Get("/api/personal_api_keys/@current/", RunningEmulator.Personal("nobody")));

        Assert.Equal(401, status);
        Assert.Equal("authentication_failed", body.GetProperty("code").GetString());
        Assert.Equal("Personal API key found in request Authorization header is invalid.", body.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Me_NoCredentials_Is401NotAuthenticated()
    {
        await using var emulator = await RunningEmulator.StartAsync();

        var (status, body) = await emulator.SendAsync(emulator.Get("/api/users/@me/"));

        Assert.Equal(401, status);
        Assert.Equal("not_authenticated", body.GetProperty("code").GetString());
    }

    [Fact]
    public async Task Me_KeyWithoutUserRead_Is403NamingTheScope()
    {
        await using var emulator = await RunningEmulator.StartAsync();

        var (status, body) = await emulator.SendAsync(emulator.Get("/api/users/@me/", RunningEmulator.Personal("flags-writer")));

        Assert.Equal(403, status);
        Assert.Equal("API key missing required scope 'user:read'", body.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Me_ScopedKey_ShowsTheUsersCurrentProject_NotTheKeys()
    {
        // @me and @current answer with the user's last-used project (posthog/api/project.py), whatever the key.
        await using var emulator = await RunningEmulator.StartAsync();

        var (status, body) = await emulator.SendAsync(emulator.Get("/api/users/@me/", RunningEmulator.Personal("reader")));
        var (current, currentBody) = await emulator.SendAsync(emulator.Get("/api/projects/@current/", RunningEmulator.Personal("reader")));

        Assert.Equal(200, status);
        Assert.Equal("dev@example.com", body.GetProperty("email").GetString());
        Assert.Equal(1, body.GetProperty("team").GetProperty("id").GetInt32());
        Assert.Equal(403, current);
        Assert.Equal("API key does not have access to the requested project: ID 1.", currentBody.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task ListKeys_WithAPersonalKey_IsRefusedButASessionMayList()
    {
        await using var emulator = await RunningEmulator.StartAsync();

        var (keyStatus, keyBody) = await emulator.SendAsync(emulator.Get("/api/personal_api_keys/", RunningEmulator.Personal("all")));
        var session = emulator.Get("/api/personal_api_keys/");
        session.Headers.Add("X-Emulator-Session", "dev@example.com");
        var (sessionStatus, sessionBody) = await emulator.SendAsync(session);

        Assert.Equal(403, keyStatus);
        Assert.Equal("This action does not support Personal API Key access", keyBody.GetProperty("detail").GetString());
        Assert.Equal(200, sessionStatus);
        Assert.Equal(3, sessionBody.GetArrayLength());
    }

    [Fact]
    public async Task RevokeLeakedKey_KnownKey_IsFoundTypedAndThenInvalid()
    {
        await using var emulator = await RunningEmulator.StartAsync();
        var key = RunningEmulator.Personal("all");

        using var revoke = await emulator.Http.PostAsJsonAsync("/api/revoke_leaked_key", new { token = key });
        var body = await revoke.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        var (after, _) = await emulator.SendAsync(emulator.Get("/api/personal_api_keys/@current/", key));
        using var again = await emulator.Http.PostAsJsonAsync("/api/revoke_leaked_key", new { token = key });
        var againBody = await again.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();

        Assert.True(body.GetProperty("found").GetBoolean());
        Assert.Equal("personal_api_key", body.GetProperty("type").GetString());
        Assert.Equal(401, after);
        Assert.False(againBody.GetProperty("found").GetBoolean());
    }

    [Fact]
    public async Task RevokeLeakedKey_SecretKey_IsTypedAsProjectSecret()
    {
        await using var emulator = await RunningEmulator.StartAsync();

        using var revoke = await emulator.Http.PostAsJsonAsync("/api/revoke_leaked_key", new { token = RunningEmulator.Secret("flags") });
        var body = await revoke.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();

        Assert.Equal("project_secret_api_key", body.GetProperty("type").GetString());
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("not json")]
    public async Task RevokeLeakedKey_BadRequest_Is400(string json)
    {
        await using var emulator = await RunningEmulator.StartAsync();

        using var response = await emulator.Http.PostAsync("/api/revoke_leaked_key", new StringContent(json));

        Assert.Equal(400, (int)response.StatusCode);
    }

    [Fact]
    public async Task RevokeLeakedKey_TokenOver200Characters_Is400()
    {
        await using var emulator = await RunningEmulator.StartAsync();

        using var response = await emulator.Http.PostAsJsonAsync("/api/revoke_leaked_key", new { token = new string('a', 201) });

        Assert.Equal(400, (int)response.StatusCode);
    }
}

/// <summary>A seed may hold a key as PostHog stores it (hash and mask), so no file but the user's own holds the value.</summary>
public sealed class HashedSeedTests
{
    [Fact]
    public async Task KeySeededByHashAndMask_AuthenticatesWithTheValueOnly()
    {
        var value = HogGuard.Testing.TestTokens.Make("phx_", true, new Random(5));
        var other = HogGuard.Testing.TestTokens.Make("phx_", true, new Random(6));
        var seed = new
        {
            users = new object[]
            {
                new { email = "a@example.com", personal_api_keys = new object[] { new { label = "ci", value_hash = HogGuard.Keys.TokenGenerator.StoredHash(value), mask = HogGuard.Keys.SecretMasking.Mask(value), scopes = new[] { "insight:read" } } } },
            },
        };
        await using var emulator = await HogGuard.Testing.EmulatorHost.StartAsync(seed);
        using var http = new HttpClient { BaseAddress = emulator.Uri };

        using var good = new HttpRequestMessage(HttpMethod.Get, "/api/personal_api_keys/@current/");
        good.Headers.Authorization = new("Bearer", value);
        using var goodAnswer = await http.SendAsync(good);
        using var bad = new HttpRequestMessage(HttpMethod.Get, "/api/personal_api_keys/@current/");
        bad.Headers.Authorization = new("Bearer", other);
        using var badAnswer = await http.SendAsync(bad);

        Assert.Equal(200, (int)goodAnswer.StatusCode);
        Assert.Contains(HogGuard.Keys.SecretMasking.Mask(value), await goodAnswer.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(401, (int)badAnswer.StatusCode);
    }
}
