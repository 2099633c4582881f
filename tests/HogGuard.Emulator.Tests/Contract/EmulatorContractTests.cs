using System.Net.Http.Json;
using System.Text.Json;
using HogGuard.Testing;

namespace HogGuard.Emulator.Tests.Contract;

/// <summary>
/// The emulator held to PostHog's recorded answers (<see cref="PostHogAnswers"/>) over loopback:
/// same status, same error body (type, code, detail, attr), same success shape. Each test names the
/// PostHog file that fixes the behaviour.
/// </summary>
public sealed class EmulatorContractTests : IAsyncLifetime
{
    private const string Admin = "admin@example.com";
    private static readonly string Token1 = TestTokens.Make("phc_", base57: true, new Random(101));
    private static readonly string Token3 = TestTokens.Make("phc_", base57: true, new Random(103));
    private static readonly string Secret1 = TestTokens.Make("phs_", base57: true, new Random(111));
    private static readonly string All = TestTokens.Make("phx_", base57: true, new Random(121));
    private static readonly string FlagsOnly = TestTokens.Make("phx_", base57: true, new Random(122));
    private static readonly string Scoped2 = TestTokens.Make("phx_", base57: true, new Random(123));
    private static readonly string MemberAll = TestTokens.Make("phx_", base57: true, new Random(124));

    private EmulatorHost _emulator = null!;
    private HttpClient _app1 = null!;
    private HttpClient _ingestion = null!;

    public async Task InitializeAsync()
    {
        var seed = new
        {
            projects = new object[]
            {
                new
                {
                    id = 1, name = "Web", api_token = Token1,
                    secret_api_keys = new object[] { new { label = "flags", value = Secret1, scopes = new[] { "feature_flag:read" } } }
                        .Concat(Enumerable.Range(1, 119).Select(i => new { label = $"filler {i}", value = (string?)null, scopes = new[] { "endpoint:read" } })).ToArray(),
                },
                new { id = 2, name = "Mobile", api_token = TestTokens.Make("phc_", base57: true, new Random(102)), secret_api_keys = Array.Empty<object>() },
                new { id = 3, name = "Data", api_token = Token3, secret_api_keys = Array.Empty<object>(), flags_cache_empty = true },
            },
            max_secret_keys_per_project = 200,
            users = new object[]
            {
                new
                {
                    email = Admin,
                    personal_api_keys = new object[]
                    {
                        new { label = "all", value = All, scopes = new[] { "*" } },
                        new { label = "flags", value = FlagsOnly, scopes = new[] { "feature_flag:read" } },
                        new { label = "scoped", value = Scoped2, scopes = new[] { "project:read", "query:read" }, scoped_teams = new[] { 2 } },
                    },
                },
                new { email = "member@example.com", level = "member", personal_api_keys = new object[] { new { label = "member", value = MemberAll, scopes = new[] { "*" } } } },
            },
        };
        _emulator = await EmulatorHost.StartSplitAsync(seed);
        _app1 = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = _emulator.Uri };
        _ingestion = new HttpClient { BaseAddress = _emulator.IngestionUri };
    }

    public async Task DisposeAsync()
    {
        _app1.Dispose();
        _ingestion.Dispose();
        await _emulator.DisposeAsync();
    }

    private static HttpRequestMessage Request(HttpMethod method, string path, string? bearer = null, object? json = null, bool person = false)
    {
        var request = new HttpRequestMessage(method, path);
        if (bearer is not null)
        {
            request.Headers.Authorization = new("Bearer", bearer);
        }

        if (person)
        {
            request.Headers.Add("X-Emulator-Session", Admin);
        }

        if (json is not null)
        {
            request.Content = JsonContent.Create(json);
        }

        return request;
    }

    /// <summary>Same status; for JSON errors the same type, code, detail and attr; for text the same text.</summary>
    private static async Task AssertSameAsync(PostHogAnswer expected, HttpResponseMessage actual)
    {
        var body = await actual.Content.ReadAsStringAsync();
        Assert.True(expected.Status == (int)actual.StatusCode, $"{expected.Source}: expected {expected.Status}, the emulator answered {(int)actual.StatusCode} {body}");
        if (expected.ContentType == PostHogAnswer.Json)
        {
            using var want = JsonDocument.Parse(expected.Body);
            using var got = JsonDocument.Parse(body);
            foreach (var field in new[] { "type", "code", "detail", "attr" })
            {
                if (want.RootElement.TryGetProperty(field, out var value))
                {
                    Assert.Equal(value.ToString(), got.RootElement.GetProperty(field).ToString());
                }
            }
        }
        else if (expected.Status == 200 || expected.Status == 400)
        {
            Assert.Equal(expected.ContentType, actual.Content.Headers.ContentType?.MediaType);
            if (expected.Status == 400)
            {
                Assert.Equal(expected.Body, body);
            }
        }
    }

    [Fact]
    public async Task MissingScope_PermissionsPy()
    {
        // posthog/permissions.py
        using var response = await _ingestion.SendAsync(Request(HttpMethod.Get, "/api/projects/1/insights/", FlagsOnly));
        await AssertSameAsync(PostHogAnswers.MissingScope, response);
    }

    [Fact]
    public async Task InvalidPersonalKey_AuthPy()
    {
        // posthog/auth.py
        using var response = await _ingestion.SendAsync(Request(HttpMethod.Get, "/api/personal_api_keys/@current/", TestTokens.Make("phx_", base57: true, new Random(999))));
        await AssertSameAsync(PostHogAnswers.InvalidPersonalKey, response);
    }

    [Fact]
    public async Task LegacyTokenActions_RefuseEveryPersonalKey_EvenWildcard_APersonMay()
    {
        // posthog/permissions.py (no required_scopes), posthog/api/project.py (rotate_secret_token, delete_secret_token_backup)
        using var rotate = await _ingestion.SendAsync(Request(HttpMethod.Patch, "/api/projects/1/rotate_secret_token/", All));
        using var delete = await _ingestion.SendAsync(Request(HttpMethod.Patch, "/api/projects/1/delete_secret_token_backup/", All));
        using var person = await _ingestion.SendAsync(Request(HttpMethod.Patch, "/api/projects/1/rotate_secret_token/", person: true));

        await AssertSameAsync(PostHogAnswers.PersonalKeyNotSupported, rotate);
        await AssertSameAsync(PostHogAnswers.PersonalKeyNotSupported, delete);
        Assert.Equal(200, (int)person.StatusCode);
    }

    [Fact]
    public async Task KeyLimitedToOtherProjects_IsRefused_PermissionsPy()
    {
        // posthog/permissions.py: check_team_and_org_permissions
        using var response = await _ingestion.SendAsync(Request(HttpMethod.Get, "/api/projects/1/project_secret_api_keys/", Scoped2));
        await AssertSameAsync(PostHogAnswers.NoProjectAccess, response);
    }

    [Fact]
    public async Task NonAdminMember_ReadsButCannotManageSecretKeys_PermissionsPy()
    {
        // posthog/permissions.py: TeamMemberStrictManagementPermission
        using var read = await _ingestion.SendAsync(Request(HttpMethod.Get, "/api/projects/2/project_secret_api_keys/", MemberAll));
        using var create = await _ingestion.SendAsync(Request(HttpMethod.Post, "/api/projects/2/project_secret_api_keys/", MemberAll, new { label = "x", scopes = new[] { "feature_flag:read" } }));

        Assert.Equal(200, (int)read.StatusCode);
        await AssertSameAsync(PostHogAnswers.NotProjectAdmin, create);
    }

    [Fact]
    public async Task SecretKeyList_IsPagedBy100_NextLeadsToTheRest_SettingsWebPy()
    {
        // posthog/settings/web.py: LimitOffsetPagination, PAGE_SIZE 100
        var first = await _ingestion.SendAsync(Request(HttpMethod.Get, "/api/projects/1/project_secret_api_keys/", All));
        using var page1 = JsonDocument.Parse(await first.Content.ReadAsStringAsync());
        var next = page1.RootElement.GetProperty("next").GetString()!;
        var second = await _ingestion.SendAsync(Request(HttpMethod.Get, new Uri(next).PathAndQuery, All));
        using var page2 = JsonDocument.Parse(await second.Content.ReadAsStringAsync());

        Assert.Equal(120, page1.RootElement.GetProperty("count").GetInt32());
        Assert.Equal(100, page1.RootElement.GetProperty("results").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, page1.RootElement.GetProperty("previous").ValueKind);
        Assert.Contains("limit=100&offset=100", next, StringComparison.Ordinal);
        Assert.Equal(20, page2.RootElement.GetProperty("results").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, page2.RootElement.GetProperty("next").ValueKind);
    }

    [Fact]
    public async Task SecretKeyLimit_ProjectSecretApiKeyPy()
    {
        // posthog/api/project_secret_api_key.py: MAX_PROJECT_SECRET_API_KEYS_PER_TEAM (50 today).
        var seed = JsonSerializer.Serialize(new
        {
            projects = new object[] { new { id = 1, name = "Web", secret_api_keys = Enumerable.Range(1, 50).Select(i => new { label = $"k{i}", scopes = new[] { "endpoint:read" } }).ToArray() } },
            users = new object[] { new { email = Admin, personal_api_keys = new object[] { new { label = "all", value = All, scopes = new[] { "*" } } } } },
        });
        await using var emulator = await EmulatorHost.StartFromJsonAsync(seed);
        var address = emulator.Uri;
        using var http = new HttpClient { BaseAddress = address };

        using var response = await http.SendAsync(Request(HttpMethod.Post, "/api/projects/1/project_secret_api_keys/", All, new { label = "one more", scopes = new[] { "feature_flag:read" } }));

        await AssertSameAsync(PostHogAnswers.SecretKeyLimit, response);
    }

    [Fact]
    public async Task FlagsService_Errors_And_Success_RustFeatureFlags()
    {
        // rust/feature-flags/src/api/errors.rs and the local-evaluation handler
        using var missingScope = await _ingestion.SendAsync(Request(HttpMethod.Get, $"/flags/definitions?token={Token1}", Scoped2));
        using var invalidSecret = await _ingestion.SendAsync(Request(HttpMethod.Get, $"/flags/definitions?token={Token1}", TestTokens.Make("phs_", base57: true, new Random(998))));
        using var personalWithoutToken = await _ingestion.SendAsync(Request(HttpMethod.Get, "/flags/definitions", All));
        using var secretWithoutToken = await _ingestion.SendAsync(Request(HttpMethod.Get, "/flags/definitions", Secret1));
        using var cacheEmpty = await _ingestion.SendAsync(Request(HttpMethod.Get, $"/flags/definitions?token={Token3}", All));
        using var ok = await _ingestion.SendAsync(Request(HttpMethod.Get, $"/flags/definitions?token={Token1}", Secret1));

        await AssertSameAsync(PostHogAnswers.FlagsMissingScope, missingScope);
        await AssertSameAsync(PostHogAnswers.FlagsInvalidSecret, invalidSecret);
        Assert.Equal(400, (int)personalWithoutToken.StatusCode);
        Assert.Equal(200, (int)secretWithoutToken.StatusCode);
        Assert.Equal(PostHogAnswers.FlagsCacheEmpty.Status, (int)cacheEmpty.StatusCode);
        using var body = JsonDocument.Parse(await ok.Content.ReadAsStringAsync());
        Assert.Equal(JsonValueKind.Array, body.RootElement.GetProperty("flags").ValueKind);
    }

    [Fact]
    public async Task OlderFlagsService_WantsTheTokenWithASecretKeyToo()
    {
        // rust/feature-flags/: older versions answered 400 to a phs_ without ?token=.
        var seed = JsonSerializer.Serialize(new { flags_service = "older", projects = new object[] { new { id = 1, name = "Web", secret_api_keys = new object[] { new { label = "f", value = Secret1, scopes = new[] { "feature_flag:read" } } } } } });
        await using var emulator = await EmulatorHost.StartFromJsonAsync(seed);
        var address = emulator.Uri;
        using var http = new HttpClient { BaseAddress = address };

        using var response = await http.SendAsync(Request(HttpMethod.Get, "/flags/definitions", Secret1));

        Assert.Equal(PostHogAnswers.FlagsTokenRequired.Status, (int)response.StatusCode);
    }

    [Fact]
    public async Task Capture_Ok_And_WholeBatchRefusal_RustCaptureApi()
    {
        // rust/capture/src/api.rs
        using var ok = await _ingestion.PostAsJsonAsync("/batch/", new { api_key = Token1, batch = new[] { new { @event = "e", distinct_id = "d" } } });
        using var refused = await _ingestion.PostAsJsonAsync("/batch/", new { api_key = Token1, batch = new object[] { new { @event = "e", distinct_id = "d" }, new { @event = "no id" } } });

        Assert.Equal(200, (int)ok.StatusCode);
        Assert.Equal("Ok", JsonDocument.Parse(await ok.Content.ReadAsStringAsync()).RootElement.GetProperty("status").GetString());
        await AssertSameAsync(PostHogAnswers.CaptureMissingDistinctId, refused);
    }

    [Fact]
    public async Task AppHost_RedirectsIngestionPathsToALoginPage_UrlsPy()
    {
        // posthog/urls.py: the app host's catch-all; PostHog Cloud serves ingestion on its .i. host.
        using var batch = await _app1.PostAsJsonAsync("/batch/", new { api_key = Token1, batch = Array.Empty<object>() });
        using var flags = await _app1.SendAsync(Request(HttpMethod.Get, $"/flags/definitions?token={Token1}", Secret1));
        using var login = await _app1.GetAsync(batch.Headers.Location!.OriginalString);
        using var api = await _app1.SendAsync(Request(HttpMethod.Get, "/api/personal_api_keys/@current/", All));

        Assert.Equal(302, (int)batch.StatusCode);
        Assert.StartsWith("/login", batch.Headers.Location!.OriginalString, StringComparison.Ordinal);
        Assert.Equal(302, (int)flags.StatusCode);
        Assert.Equal(200, (int)login.StatusCode);
        Assert.Equal(PostHogAnswers.LoginPage.ContentType, login.Content.Headers.ContentType?.MediaType);
        Assert.Equal(200, (int)api.StatusCode);
    }

    [Fact]
    public async Task LeakedKeyRevocation_RollsTheKey_LeakedKeyPy()
    {
        // posthog/api/leaked_key.py, posthog/api/secret_revocation.py: keys are rolled, not deleted.
        var leaked = TestTokens.Make("phs_", base57: true, new Random(131));
        var seed = JsonSerializer.Serialize(new
        {
            projects = new object[] { new { id = 1, name = "Web", secret_api_keys = new object[] { new { label = "leaked", value = leaked, scopes = new[] { "feature_flag:read" } } } } },
            users = new object[] { new { email = Admin, personal_api_keys = new object[] { new { label = "all", value = All, scopes = new[] { "*" } } } } },
        });
        await using var emulator = await EmulatorHost.StartFromJsonAsync(seed);
        var address = emulator.Uri;
        using var http = new HttpClient { BaseAddress = address };

        using var revoke = await http.PostAsJsonAsync("/api/revoke_leaked_key", new { token = leaked });
        using var check = await http.SendAsync(Request(HttpMethod.Get, "/flags/definitions", leaked));
        using var list = await http.SendAsync(Request(HttpMethod.Get, "/api/projects/1/project_secret_api_keys/", All));
        using var keys = JsonDocument.Parse(await list.Content.ReadAsStringAsync());

        using var answer = JsonDocument.Parse(await revoke.Content.ReadAsStringAsync());
        Assert.True(answer.RootElement.GetProperty("found").GetBoolean());
        Assert.Equal("project_secret_api_key", answer.RootElement.GetProperty("type").GetString());
        Assert.Equal(401, (int)check.StatusCode);
        var key = Assert.Single(keys.RootElement.GetProperty("results").EnumerateArray());
        Assert.NotEqual(JsonValueKind.Null, key.GetProperty("last_rolled_at").ValueKind);
        Assert.NotEqual($"{leaked[..4]}...{leaked[^4..]}", key.GetProperty("mask_value").GetString());
    }

    [Fact]
    public async Task QueryCancel_IsAReadAction_QueryPy()
    {
        // posthog/api/query.py: scope_object_read_actions holds destroy.
        using var cancel = await _ingestion.SendAsync(Request(HttpMethod.Delete, "/api/projects/2/query/q1/", Scoped2));
        using var refused = await _ingestion.SendAsync(Request(HttpMethod.Delete, "/api/projects/1/query/q1/", FlagsOnly));

        Assert.Equal(204, (int)cancel.StatusCode);
        Assert.Equal("API key missing required scope 'query:read'", JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Current_ShowsTheUseItsOwnRequestStamped_AuthPy()
    {
        // posthog/auth.py: last_used_at is set by the request that authenticates (at most hourly).
        using var response = await _ingestion.SendAsync(Request(HttpMethod.Get, "/api/personal_api_keys/@current/", FlagsOnly));
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        var stamped = body.RootElement.GetProperty("last_used_at").GetDateTimeOffset();
        Assert.True(DateTimeOffset.UtcNow - stamped < TimeSpan.FromMinutes(1));
    }

    [Fact]
    public async Task PersonalKeys_MayOnlyReadThemselves_PersonalApiKeyPy()
    {
        // posthog/api/personal_api_key.py with posthog/permissions.py: list, create and roll refuse a personal key.
        using var list = await _ingestion.SendAsync(Request(HttpMethod.Get, "/api/personal_api_keys/", All));
        using var create = await _ingestion.SendAsync(Request(HttpMethod.Post, "/api/personal_api_keys/", All, new { label = "x" }));
        using var self = await _ingestion.SendAsync(Request(HttpMethod.Get, "/api/personal_api_keys/@current/", All));

        await AssertSameAsync(PostHogAnswers.PersonalKeyNotSupported, list);
        await AssertSameAsync(PostHogAnswers.PersonalKeyNotSupported, create);
        Assert.Equal(200, (int)self.StatusCode);
    }

    [Fact]
    public async Task NoCredentials_AuthPy()
    {
        // posthog/auth.py
        using var response = await _ingestion.SendAsync(Request(HttpMethod.Get, "/api/users/@me/"));
        await AssertSameAsync(PostHogAnswers.NotAuthenticated, response);
    }

    [Fact]
    public async Task SecretKeys_WildcardAndDuplicateLabel_AreRefused_ProjectSecretApiKeyPy()
    {
        // posthog/api/project_secret_api_key.py: validate_scopes and unique_team_label.
        using var wildcard = await _ingestion.SendAsync(Request(HttpMethod.Post, "/api/projects/1/project_secret_api_keys/", All, new { label = "all", scopes = new[] { "*" } }));
        using var duplicate = await _ingestion.SendAsync(Request(HttpMethod.Post, "/api/projects/1/project_secret_api_keys/", All, new { label = "flags", scopes = new[] { "feature_flag:read" } }));

        await AssertSameAsync(PostHogAnswers.WildcardSecretKey, wildcard);
        await AssertSameAsync(PostHogAnswers.DuplicateLabel, duplicate);
    }

    [Fact]
    public async Task Capture_PersonalKeyAsToken_Is401_UnknownProjectToken_Is200_RustCaptureApi()
    {
        // rust/capture/src/api.rs: a phx_ in api_key is refused; capture does not look the token up.
        using var personal = await _ingestion.PostAsJsonAsync("/batch/", new { api_key = All, batch = new[] { new { @event = "e", distinct_id = "d" } } });
        using var unknown = await _ingestion.PostAsJsonAsync("/batch/", new { api_key = TestTokens.Make("phc_", base57: true, new Random(997)), batch = new[] { new { @event = "e", distinct_id = "d" } } });

        Assert.Equal(401, (int)personal.StatusCode);
        Assert.Equal(200, (int)unknown.StatusCode);
    }

    [Fact]
    public async Task PersonalKeys_TenPerUser_PersonalApiKeyPy()
    {
        // posthog/api/personal_api_key.py: MAX_API_KEYS_PER_USER; a person (session) creates keys.
        var statuses = new List<HttpResponseMessage>();
        for (var i = 0; i < 8; i++)
        {
            statuses.Add(await _ingestion.SendAsync(Request(HttpMethod.Post, "/api/personal_api_keys/", json: new { label = $"k{i}", scopes = new[] { "insight:read" } }, person: true)));
        }

        // The admin already held 3 keys: the 8th new one is the 11th.
        Assert.All(statuses.Take(7), r => Assert.Equal(201, (int)r.StatusCode));
        await AssertSameAsync(PostHogAnswers.PersonalKeyLimit, statuses[7]);
        statuses.ForEach(r => r.Dispose());
    }
}
