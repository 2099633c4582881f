using System.Net.Http.Json;
using System.Text.Json;

namespace HogGuard.Emulator.Tests;

public sealed class ManagementEndpointTests
{
    private static HttpRequestMessage AsPerson(HttpMethod method, string path, object? body = null)
    {
        var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        request.Headers.Add("X-Emulator-Session", "dev@example.com");
        return request;
    }

    private static HttpRequestMessage WithKey(HttpMethod method, string path, string key, object? body = null)
    {
        var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        request.Headers.Authorization = new("Bearer", key);
        return request;
    }

    [Fact]
    public async Task PersonalKey_CreateRollDelete_ValueShownOnlyOnCreateAndRoll()
    {
        await using var emulator = await RunningEmulator.StartAsync();

        var (created, createdBody) = await emulator.SendAsync(AsPerson(HttpMethod.Post, "/api/personal_api_keys/", new { label = "ci", scopes = new[] { "insight:read" } }));
        var value = createdBody.GetProperty("value").GetString()!;
        var id = createdBody.GetProperty("id").GetString();
        var (current, _) = await emulator.SendAsync(emulator.Get("/api/personal_api_keys/@current/", value));
        var (rolled, rolledBody) = await emulator.SendAsync(AsPerson(HttpMethod.Post, $"/api/personal_api_keys/{id}/roll/"));
        var newValue = rolledBody.GetProperty("value").GetString()!;
        var (oldAfterRoll, _) = await emulator.SendAsync(emulator.Get("/api/personal_api_keys/@current/", value));
        var (newAfterRoll, newBody) = await emulator.SendAsync(emulator.Get("/api/personal_api_keys/@current/", newValue));
        var (deleted, _) = await emulator.SendAsync(AsPerson(HttpMethod.Delete, $"/api/personal_api_keys/{id}/"));
        var (afterDelete, _) = await emulator.SendAsync(emulator.Get("/api/personal_api_keys/@current/", newValue));

        Assert.Equal(201, created);
        Assert.StartsWith("phx_", value, StringComparison.Ordinal);
        Assert.Equal(200, current);
        Assert.Equal(200, rolled);
        Assert.NotEqual(value, newValue);
        Assert.Equal($"{newValue[..4]}...{newValue[^4..]}", rolledBody.GetProperty("mask_value").GetString());
        Assert.Equal(401, oldAfterRoll);
        Assert.Equal(200, newAfterRoll);
        Assert.Equal(JsonValueKind.Null, newBody.GetProperty("value").ValueKind);
        Assert.NotEqual(JsonValueKind.Null, newBody.GetProperty("last_rolled_at").ValueKind);
        Assert.Equal(204, deleted);
        Assert.Equal(401, afterDelete);
    }

    [Fact]
    public async Task PersonalKey_ManagedWithAPersonalKey_Is403()
    {
        await using var emulator = await RunningEmulator.StartAsync();
        var key = RunningEmulator.Personal("all");

        var (create, body) = await emulator.SendAsync(WithKey(HttpMethod.Post, "/api/personal_api_keys/", key, new { label = "x" }));
        var (roll, _) = await emulator.SendAsync(WithKey(HttpMethod.Post, "/api/personal_api_keys/1/roll/", key));

        Assert.Equal(403, create);
        Assert.Equal("This action does not support Personal API Key access", body.GetProperty("detail").GetString());
        Assert.Equal(403, roll);
    }

    [Fact]
    public async Task PersonalKey_MoreThanTen_IsRefused()
    {
        await using var emulator = await RunningEmulator.StartAsync();
        var statuses = new List<int>();
        for (var i = 0; i < 8; i++)
        {
            statuses.Add((await emulator.SendAsync(AsPerson(HttpMethod.Post, "/api/personal_api_keys/", new { label = $"k{i}" }))).Status);
        }

        // Three were seeded: seven more fit, the eighth is refused.
        Assert.Equal([201, 201, 201, 201, 201, 201, 201, 400], statuses);
    }

    [Fact]
    public async Task SecretKeys_RotatorKeyWithProjectWrite_CanCreateAndRoll_ReaderCannot()
    {
        await using var emulator = await RunningEmulator.StartAsync();
        var rotator = RunningEmulator.Personal("all");
        var reader = RunningEmulator.Personal("reader");

        var (created, body) = await emulator.SendAsync(WithKey(HttpMethod.Post, "/api/projects/1/project_secret_api_keys/", rotator, new { label = "flags-2", scopes = new[] { "feature_flag:read" } }));
        var value = body.GetProperty("value").GetString()!;
        var id = body.GetProperty("id").GetString();
        var (rolled, rolledBody) = await emulator.SendAsync(WithKey(HttpMethod.Post, $"/api/projects/1/project_secret_api_keys/{id}/roll/", rotator));
        var (oldWorks, _) = await emulator.SendAsync(emulator.Get($"/flags/definitions?token={emulator.ProjectToken}", value));
        var (newWorks, _) = await emulator.SendAsync(emulator.Get($"/flags/definitions?token={emulator.ProjectToken}", rolledBody.GetProperty("value").GetString()));
        var (readerCreate, readerBody) = await emulator.SendAsync(WithKey(HttpMethod.Post, "/api/projects/2/project_secret_api_keys/", reader, new { label = "x", scopes = new[] { "feature_flag:read" } }));
        var (wildcard, _) = await emulator.SendAsync(WithKey(HttpMethod.Post, "/api/projects/1/project_secret_api_keys/", rotator, new { label = "all", scopes = new[] { "*" } }));
        var (otherProject, otherBody) = await emulator.SendAsync(WithKey(HttpMethod.Get, "/api/projects/1/project_secret_api_keys/", reader));

        Assert.Equal(201, created);
        Assert.StartsWith("phs_", value, StringComparison.Ordinal);
        Assert.Equal(200, rolled);
        Assert.Equal(401, oldWorks);
        Assert.Equal(200, newWorks);
        Assert.Equal(403, readerCreate);
        Assert.Equal("API key missing required scope 'project:write'", readerBody.GetProperty("detail").GetString());
        Assert.Equal(400, wildcard);
        Assert.Equal(403, otherProject);
        Assert.Equal("API key does not have access to the requested project: ID 1.", otherBody.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task SecretKeys_UpdateChangesScopesButNeverToWildcard()
    {
        await using var emulator = await RunningEmulator.StartAsync();
        var rotator = RunningEmulator.Personal("all");
        var (_, list) = await emulator.SendAsync(WithKey(HttpMethod.Get, "/api/projects/1/project_secret_api_keys/", rotator));
        var id = list.GetProperty("results")[0].GetProperty("id").GetString();

        var (updated, body) = await emulator.SendAsync(WithKey(HttpMethod.Patch, $"/api/projects/1/project_secret_api_keys/{id}/", rotator, new { scopes = new[] { "feature_flag:read", "endpoint:read" } }));
        var (wildcard, _) = await emulator.SendAsync(WithKey(HttpMethod.Patch, $"/api/projects/1/project_secret_api_keys/{id}/", rotator, new { scopes = new[] { "*" } }));

        Assert.Equal(200, updated);
        Assert.Equal(["feature_flag:read", "endpoint:read"], body.GetProperty("scopes").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(400, wildcard);
    }

    [Fact]
    public async Task LegacySecretToken_APersonRotates_TheBackupWorksUntilDeleted()
    {
        await using var emulator = await RunningEmulator.StartAsync();

        var (_, first) = await emulator.SendAsync(AsPerson(HttpMethod.Patch, "/api/projects/1/rotate_secret_token/"));
        var firstToken = first.GetProperty("secret_api_token").GetString()!;
        var (_, second) = await emulator.SendAsync(AsPerson(HttpMethod.Patch, "/api/projects/1/rotate_secret_token/"));
        var secondToken = second.GetProperty("secret_api_token").GetString()!;
        var (backupWorks, _) = await emulator.SendAsync(emulator.Get("/flags/definitions", firstToken));
        var (deleted, _) = await emulator.SendAsync(AsPerson(HttpMethod.Patch, "/api/projects/1/delete_secret_token_backup/"));
        var (backupAfter, _) = await emulator.SendAsync(emulator.Get("/flags/definitions", firstToken));
        var (currentAfter, _) = await emulator.SendAsync(emulator.Get("/flags/definitions", secondToken));

        Assert.Equal(200, backupWorks);
        Assert.Equal(200, deleted);
        Assert.Equal(401, backupAfter);
        Assert.Equal(200, currentAfter);
    }

    [Theory]
    [InlineData("feature_flags")]
    [InlineData("insights")]
    public async Task ProjectItems_ReadNeedsReadAndWriteNeedsWrite(string path)
    {
        await using var emulator = await RunningEmulator.StartAsync();
        var flagsWriter = RunningEmulator.Personal("flags-writer");

        var (read, _) = await emulator.SendAsync(WithKey(HttpMethod.Get, $"/api/projects/1/{path}/", flagsWriter));
        var (write, writeBody) = await emulator.SendAsync(WithKey(HttpMethod.Post, $"/api/projects/1/{path}/", flagsWriter, new { key = "new-thing" }));

        if (path == "feature_flags")
        {
            Assert.Equal(200, read);
            Assert.Equal(201, write);
        }
        else
        {
            Assert.Equal(403, read);
            Assert.Equal(403, write);
            Assert.Equal("API key missing required scope 'insight:write'", writeBody.GetProperty("detail").GetString());
        }
    }
}
