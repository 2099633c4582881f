using System.Text;
using System.Text.Json;
using HogGuard.Audit;
using HogGuard.Keys;
using HogGuard.PostHogApi;

namespace HogGuard.Emulator.Tests;

/// <summary>
/// The query API as the audit check uses it. PostHog's behaviour pinned here is read in
/// <c>posthog/api/query.py</c> (POST runs the query; create is a read action of the <c>query</c>
/// scope object; HogQL errors become a ValidationError, 400) and <c>posthog/hogql/errors.py</c>
/// (the error codes: <c>hogql_query_error</c> and <c>hogql_syntax_error</c> in recent versions; older
/// ones send DRF's default <c>invalid</c>, which the client treats alike: any 400 is a failed query).
/// </summary>
public sealed class AuditQueryTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("hogguard-query-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static async Task<(int Status, JsonElement Body)> Query(RunningEmulator emulator, string key, string body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/projects/1/query/") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new("Bearer", key);
        return await emulator.SendAsync(request);
    }

    [Fact]
    public void ClientQuery_IsTheOneTheEmulatorAnswers()
    {
        Assert.Equal(QueryEndpoint.AuditQuery, AuditRemoteCheck.Query);
    }

    [Fact]
    public async Task AuditQuery_AnswersShippedEventsBySequence_PagedAndFilteredByEventAndProject()
    {
        await using var emulator = await RunningEmulator.StartAsync();
        await using (var log = new FileAuditLog(new AuditLogOptions { Directory = _dir }))
        {
            for (var i = 0; i < 5; i++)
            {
                await log.WriteAsync(new AuditEntry(DateTimeOffset.UtcNow, "key.rotated", "ops", $"key/{i}", AuditOutcome.Success));
            }
        }

        using var http = new HttpClient();
        var client = new PostHogClient(http);
        var (shipped, failure) = await new AuditShipper(_dir, client, emulator.Address, emulator.ProjectToken).ShipOnceAsync();
        Assert.Equal((5, null), (shipped, failure));

        var (status, body) = await Query(emulator, RunningEmulator.Personal("all"), AuditRemoteCheck.RequestBody("hogguard_audit_entry", 2));
        Assert.Equal(200, status);
        var rows = body.GetProperty("results").EnumerateArray().Select(r => r[1].GetInt64()).ToList();
        Assert.Equal([3, 4, 5], rows);
        Assert.False(body.GetProperty("hasMore").GetBoolean());

        var (_, other) = await Query(emulator, RunningEmulator.Personal("all"), AuditRemoteCheck.RequestBody("another_event", 0));
        Assert.Empty(other.GetProperty("results").EnumerateArray());

        var fetched = await AuditRemoteCheck.FetchAsync(client, emulator.Address, 1, new PostHogSecret(RunningEmulator.Personal("all")), "hogguard_audit_entry");
        Assert.True(fetched.IsOk, fetched.Detail);
        Assert.Equal([1, 2, 3, 4, 5], fetched.Value!.Select(r => r.Sequence));
        Assert.True(AuditRemoteCheck.Compare(_dir, fetched.Value!).Matches);
    }

    [Theory]
    [InlineData("{\"query\": {\"kind\": \"HogQLQuery\", \"query\": \"SELECT 1\"}}", "hogql_query_error")]
    [InlineData("{\"query\": {\"kind\": \"EventsQuery\", \"select\": [\"*\"]}}", "invalid_input")]
    [InlineData("{\"refresh\": \"blocking\"}", "invalid_input")]
    [InlineData("not json", "parse_error")]
    public async Task AnyOtherQuery_Is400WithPostHogsValidationErrorBody(string body, string code)
    {
        await using var emulator = await RunningEmulator.StartAsync();

        var (status, error) = await Query(emulator, RunningEmulator.Personal("all"), body);

        Assert.Equal(400, status);
        Assert.Equal("validation_error", error.GetProperty("type").GetString());
        Assert.Equal(code, error.GetProperty("code").GetString());
        Assert.False(string.IsNullOrEmpty(error.GetProperty("detail").GetString()));
        Assert.True(error.TryGetProperty("attr", out _));
    }

    [Fact]
    public async Task AsynchronousOrForeignAnswers_AreFailuresThatSaySo()
    {
        await using var emulator = await RunningEmulator.StartAsync();
        using var http = new HttpClient();
        var client = new PostHogClient(http);
        var key = new PostHogSecret(RunningEmulator.Personal("all"));
        using (await emulator.Http.PutAsync("/_emulator/faults", new StringContent("[{\"route\": \"/api/projects/1/query/\", \"status\": 202}, {\"route\": \"/api/projects/1/query/\", \"status\": 200}]", Encoding.UTF8, "application/json")))
        {
        }

        var queued = await AuditRemoteCheck.FetchAsync(client, emulator.Address, 1, key, "hogguard_audit_entry");
        var notAQuery = await AuditRemoteCheck.FetchAsync(client, emulator.Address, 1, key, "hogguard_audit_entry");

        Assert.Equal((ApiOutcome.Failed, 202), (queued.Outcome, queued.Status));
        Assert.Contains("asynchronously", queued.Detail, StringComparison.Ordinal);
        Assert.Equal((ApiOutcome.Failed, 200), (notAQuery.Outcome, notAQuery.Status));
        Assert.Contains("no 'results' rows", notAQuery.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task KeyWithoutQueryRead_IsRefusedWithTheScopeNamed()
    {
        await using var emulator = await RunningEmulator.StartAsync();
        using var http = new HttpClient();

        var fetched = await AuditRemoteCheck.FetchAsync(new PostHogClient(http), emulator.Address, 1, new PostHogSecret(RunningEmulator.Personal("flags-writer")), "hogguard_audit_entry");

        Assert.Equal(ApiOutcome.MissingScope, fetched.Outcome);
        Assert.Equal("query:read", fetched.MissingScope);
    }
}
