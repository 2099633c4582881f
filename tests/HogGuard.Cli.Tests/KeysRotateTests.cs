using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using HogGuard.Cli.Tests.Infrastructure;
using HogGuard.Testing;

namespace HogGuard.Cli.Tests;

/// <summary>
/// <c>hogguard keys rotate</c> end to end against the emulator over loopback: each key kind, a
/// process killed at every step and resumed, concurrent edits, bad input. After every run the test
/// asks the emulator whether the store's current key works.
/// </summary>
public sealed class KeysRotateTests
{
    private const string Person = "admin@example.com";

    private sealed class Setup : IAsyncDisposable
    {
        public required EmulatorHost Emulator { get; init; }

        public required GitRepo Repo { get; init; }

        public required string Old { get; init; }

        public required Dictionary<string, string> Environment { get; init; }

        public string DotenvPath => Path.Combine(Repo.Root, ".env");

        public Invocation Run(params string[] args) => new(this, args);

        public ToolResult Rotate(params string[] extra) => RotateWith(null, null, extra);

        public ToolResult RotateWith(string? stdin, Dictionary<string, string>? more, params string[] extra)
        {
            var environment = new Dictionary<string, string>(Environment);
            foreach (var (k, v) in more ?? [])
            {
                environment[k] = v;
            }

            string[] args = extra.Contains("--resume") || extra.Contains("--abort")
                ? ["keys", "rotate", "--host", Emulator.Address, .. extra]
                : ["keys", "rotate", "--env", "production", "--key", "secret", "--host", Emulator.Address, .. extra];
            return Tool.RunWithEnvironment(Repo.Root, stdin, environment, args);
        }

        public string Current(string name = "POSTHOG_SECRET") => Slot(name);

        /// <summary>The value of <c>[export ]NAME=value</c> or <c>NAME="value" # comment</c>; empty when absent.</summary>
        public string Slot(string name) =>
            File.ReadAllLines(DotenvPath)
                .Select(l => System.Text.RegularExpressions.Regex.Match(l, $"^(?:export )?{name}=\"?([^\" ]*)"))
                .Where(m => m.Success).Select(m => m.Groups[1].Value).LastOrDefault() ?? string.Empty;

        public string[] Journals() => Directory.Exists(Path.Combine(Repo.Root, ".hogguard", "rotations"))
            ? [.. Directory.GetFiles(Path.Combine(Repo.Root, ".hogguard", "rotations"), "rot-*.json").Select(f => Path.GetFileNameWithoutExtension(f))]
            : [];

        public async Task<HttpStatusCode> StatusOfAsync(string key)
        {
            using var http = new HttpClient();
            var path = key.StartsWith("phx_", StringComparison.Ordinal) ? "/api/personal_api_keys/@current/" : "/flags/definitions";
            using var request = new HttpRequestMessage(HttpMethod.Get, Emulator.Address + path);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
            using var response = await http.SendAsync(request);
            return response.StatusCode;
        }

        public async Task AssertWorksAsync(string key, string because) =>
            Assert.True(await StatusOfAsync(key) == HttpStatusCode.OK, $"the store's current key is refused by PostHog ({because})");

        public async Task<List<JsonElement>> SecretKeysAsync()
        {
            using var http = new HttpClient();
            using var request = new HttpRequestMessage(HttpMethod.Get, Emulator.Address + "/api/projects/1/project_secret_api_keys/?limit=1000");
            request.Headers.Add("X-Emulator-Session", Person);
            using var response = await http.SendAsync(request);
            return [.. (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("results").EnumerateArray()];
        }

        /// <summary>What the person does in PostHog's project settings: rotate the legacy secret token (a session, not a key).</summary>
        public async Task<string> PersonRotatesTokenAsync()
        {
            using var http = new HttpClient();
            using var request = new HttpRequestMessage(HttpMethod.Patch, Emulator.Address + "/api/projects/1/rotate_secret_token/");
            request.Headers.Add("X-Emulator-Session", Person);
            using var response = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var token = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("secret_api_token").GetString()!;
            Tokens.Remember(token);
            return token;
        }

        public async Task PersonDeletesBackupAsync()
        {
            using var http = new HttpClient();
            using var request = new HttpRequestMessage(HttpMethod.Patch, Emulator.Address + "/api/projects/1/delete_secret_token_backup/");
            request.Headers.Add("X-Emulator-Session", Person);
            using var response = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        public async ValueTask DisposeAsync()
        {
            Repo.Dispose();
            await Emulator.DisposeAsync();
        }
    }

    private sealed record Invocation(Setup Setup, string[] Args)
    {
        public ToolResult WithInput(string stdin) => Infrastructure.Tool.RunWithEnvironment(Setup.Repo.Root, stdin, Setup.Environment, Args);
    }

    private static readonly string[] Steps = ["started", "requested", "obtained", "verified", "promoted", "revoked"];

    /// <summary>A project whose phs_ key (or legacy secret token) sits in a dotenv file, and a rotator personal key.</summary>
    private static async Task<Setup> StartAsync(string kind, int maxSecretKeys = 10, string dotenvTemplate = "# settings\nexport POSTHOG_SECRET=\"{0}\" # flags\nOTHER=value\n", Func<string, object[]>? projects = null, string level = "admin", string[]? rotatorScopes = null)
    {
        var old = Tokens.New("phs_");
        var rotator = Tokens.New("phx_");
        var seed = new
        {
            max_secret_keys_per_project = maxSecretKeys,
            projects = projects?.Invoke(old) ?? new object[]
            {
                kind == "legacy"
                    ? new { id = 1, name = "Web", secret_token = (string?)old, secret_api_keys = Array.Empty<object>() }
                    : new { id = 1, name = "Web", secret_token = (string?)null, secret_api_keys = new object[] { new { label = "flags", value = old, scopes = new[] { "feature_flag:read" } } } },
            },
            users = new object[] { new { email = Person, level, personal_api_keys = new object[] { new { label = "rotator", value = rotator, scopes = rotatorScopes ?? ["project:write"] } } } },
        };
        var emulator = await EmulatorHost.StartAsync(seed);
        var repo = new GitRepo(init: false);
        repo.Write(".env", string.Format(System.Globalization.CultureInfo.InvariantCulture, dotenvTemplate, old));
        // A legacy token is in no project's list of secret keys, so its project is named; a phs_ key's is found by its mask.
        repo.Write("hogguard.yml", $$"""
            environments:
              production:
                {{(kind == "legacy" ? "project: 1" : string.Empty)}}
                keys:
                  - { name: secret, source: "dotenv:.env#POSTHOG_SECRET", purpose: flags, scopes: [feature_flag:read] }
            rotation:
              rotator: env:POSTHOG_ROTATOR
            audit:
              directory: audit
            """);
        return new Setup { Emulator = emulator, Repo = repo, Old = old, Environment = new() { ["POSTHOG_ROTATOR"] = rotator } };
    }

    [Fact]
    public async Task Rotate_ProjectSecretKey_OverlapsThenDeletesTheOld_AndLeavesTheRestOfTheFileAlone()
    {
        await using var s = await StartAsync("phs", dotenvTemplate: "# settings\r\nexport POSTHOG_SECRET=\"{0}\" # flags\r\nOTHER=value\r\n");
        var before = File.ReadAllText(s.DotenvPath);

        var result = s.Rotate();

        Assert.True(result.ExitCode == 0, result.ToString());
        var fresh = s.Current();
        Tokens.Remember(fresh);
        Assert.NotEqual(s.Old, fresh);
        Assert.Equal(before.Replace(s.Old, fresh, StringComparison.Ordinal), File.ReadAllText(s.DotenvPath));
        await s.AssertWorksAsync(fresh, "after the rotation");
        Assert.Equal(HttpStatusCode.Unauthorized, await s.StatusOfAsync(s.Old));
        var keys = await s.SecretKeysAsync();
        var only = Assert.Single(keys);
        Assert.Equal(["feature_flag:read"], only.GetProperty("scopes").EnumerateArray().Select(e => e.GetString()));
        Tool.AssertNoTokenLeaked(result);

        var journal = Assert.Single(s.Journals());
        var journalText = File.ReadAllText(Path.Combine(s.Repo.Root, ".hogguard", "rotations", journal + ".json"));
        Assert.DoesNotContain(s.Old, journalText, StringComparison.Ordinal);
        Assert.DoesNotContain(fresh, journalText, StringComparison.Ordinal);
        Assert.Contains("\"Done\"", journalText, StringComparison.Ordinal);

        var audit = Tool.Run(s.Repo.Root, "audit", "verify", "audit");
        Assert.True(audit.ExitCode == 0, audit.ToString());
        var tail = Tool.Run(s.Repo.Root, "audit", "tail", "audit", "-n", "20");
        foreach (var step in Steps.Append("done"))
        {
            Assert.Contains($"key.rotate.{step}", tail.Stdout, StringComparison.Ordinal);
        }

        var listed = Tool.Run(s.Repo.Root, "keys", "rotations");
        Assert.Contains($"{journal}  production/secret  done", listed.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rotate_AtTheProjectKeyLimit_RollsInPlace_AndWritesTheNewValueFirst()
    {
        await using var s = await StartAsync("phs", maxSecretKeys: 1);

        var result = s.Rotate();

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("rolling", result.Stderr, StringComparison.Ordinal);
        var fresh = s.Current();
        Tokens.Remember(fresh);
        await s.AssertWorksAsync(fresh, "after the roll");
        Assert.Equal(HttpStatusCode.Unauthorized, await s.StatusOfAsync(s.Old));
        Assert.Single(await s.SecretKeysAsync());
        Tool.AssertNoTokenLeaked(result);
    }

    [Fact]
    public async Task Rotate_LegacySecretToken_IsGuided_NewTokenOnStdin_WaitsForTheBackupDeletion_ThenResumes()
    {
        // PostHog refuses rotate_secret_token to every personal API key (posthog/permissions.py), so
        // a person rotates it in the project settings and HogGuard takes the new token from stdin.
        await using var s = await StartAsync("legacy");
        var fresh = await s.PersonRotatesTokenAsync();

        var first = s.RotateWith(fresh + "\n", null);

        Assert.True(first.ExitCode == 1, first.ToString());
        Assert.Contains("Project settings for project 1", first.Stderr, StringComparison.Ordinal);
        Assert.Contains("Delete backup", first.Stderr, StringComparison.Ordinal);
        Assert.Equal(fresh, s.Current());
        Assert.Equal(s.Old, s.Slot("POSTHOG_SECRET_PREVIOUS"));
        await s.AssertWorksAsync(s.Old, "the backup works until the person deletes it");

        await s.PersonDeletesBackupAsync();
        var resumed = s.Rotate("--resume", Assert.Single(s.Journals()));

        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        Assert.Equal(fresh, s.Current());
        Assert.Equal(HttpStatusCode.Unauthorized, await s.StatusOfAsync(s.Old));
        Assert.Empty(s.Slot("POSTHOG_SECRET_PREVIOUS"));
        Tool.AssertNoTokenLeaked(first);
        Tool.AssertNoTokenLeaked(resumed);
    }

    [Fact]
    public async Task Rotate_LegacySecretToken_WithWait_PollsUntilThePersonDeletesTheBackup()
    {
        await using var s = await StartAsync("legacy");
        var fresh = await s.PersonRotatesTokenAsync();
        var deleter = Task.Run(async () =>
        {
            // The person deletes the backup once HogGuard has the new token in the store.
            for (var i = 0; i < 300 && s.Current() != fresh; i++)
            {
                await Task.Delay(100);
            }

            await Task.Delay(1500);
            await s.PersonDeletesBackupAsync();
        });

        var result = s.RotateWith(fresh + "\n", null, "--wait", "--poll-interval", "1", "--wait-timeout", "60");
        await deleter;

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(fresh, s.Current());
        Assert.Equal(HttpStatusCode.Unauthorized, await s.StatusOfAsync(s.Old));
        Tool.AssertNoTokenLeaked(result);
    }

    [Theory]
    [InlineData("", "no token was entered")]
    [InlineData("not-a-token", "is not a phs_ token")]
    [InlineData("OLD", "that is the old token")]
    [InlineData("UNKNOWN", "does not accept the pasted token")]
    public async Task Rotate_LegacySecretToken_BadPaste_StopsAndKeepsTheOldTokenCurrent(string paste, string expected)
    {
        await using var s = await StartAsync("legacy");
        var input = paste switch { "OLD" => s.Old, "UNKNOWN" => Tokens.New("phs_"), _ => paste };

        var result = s.RotateWith(input + "\n", null);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains(expected, result.Stderr, StringComparison.Ordinal);
        Assert.Equal(s.Old, s.Current());
        Assert.Empty(s.Slot("POSTHOG_SECRET_NEXT"));
        Tool.AssertNoTokenLeaked(result);
    }

    [Theory]
    [InlineData("requested")]
    [InlineData("obtained")]
    [InlineData("promoted")]
    public async Task Rotate_LegacySecretToken_KilledAtAStep_ResumesToDone(string step)
    {
        await using var s = await StartAsync("legacy");
        var fresh = await s.PersonRotatesTokenAsync();

        var killed = s.RotateWith(fresh + "\n", new() { ["HOGGUARD_FAULT_AT"] = step });

        Assert.True(killed.ExitCode != 0 && killed.Stderr.Contains($"HOGGUARD_FAULT_AT={step}", StringComparison.Ordinal), killed.ToString());
        await s.AssertWorksAsync(s.Current(), $"killed at {step}");
        await s.PersonDeletesBackupAsync();
        var resumed = s.RotateWith(fresh + "\n", null, "--resume", Assert.Single(s.Journals()));

        Assert.True(resumed.ExitCode == 0, $"killed at {step}; resume: {resumed}");
        Assert.Equal(fresh, s.Current());
        Assert.Equal(HttpStatusCode.Unauthorized, await s.StatusOfAsync(s.Old));
        Assert.Empty(s.Slot("POSTHOG_SECRET_NEXT"));
        Assert.Empty(s.Slot("POSTHOG_SECRET_PREVIOUS"));
        Tool.AssertNoTokenLeaked(killed);
        Tool.AssertNoTokenLeaked(resumed);
    }

    [Fact]
    public async Task Rotate_RotatorOfANonAdminMember_Exits2WithPostHogsWords_AndTheOldKeyStays()
    {
        // posthog/permissions.py: TeamMemberStrictManagementPermission lets members read, admins change.
        await using var s = await StartAsync("phs", level: "member");

        var result = s.Rotate();

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("You don't have sufficient permissions in the project.", result.Stderr, StringComparison.Ordinal);
        Assert.Equal(s.Old, s.Current());
        Assert.Empty(s.Slot("POSTHOG_SECRET_NEXT"));
        Assert.Single(await s.SecretKeysAsync());
    }

    private static object Key(string label, string? value = null) => new { label, value, scopes = new[] { "feature_flag:read" } };

    [Fact]
    public async Task Rotate_KeyOnTheSecondPageOf120_IsFoundAndRotated()
    {
        // posthog/settings/web.py: lists come in pages of 100, newest first; the oldest key is on page 2.
        await using var s = await StartAsync("phs", maxSecretKeys: 200, projects: old =>
            [new { id = 1, name = "Web", secret_api_keys = new[] { Key("flags", old) }.Concat(Enumerable.Range(1, 119).Select(i => Key($"filler {i}"))).ToArray() }]);

        var result = s.Rotate();

        Assert.True(result.ExitCode == 0, result.ToString());
        var fresh = s.Current();
        Tokens.Remember(fresh);
        await s.AssertWorksAsync(fresh, "after the rotation");
        Assert.Equal(HttpStatusCode.Unauthorized, await s.StatusOfAsync(s.Old));
        Assert.Equal(120, (await s.SecretKeysAsync()).Count);
    }

    [Fact]
    public async Task Rotate_ProjectFoundByMaskAmongThree_WithoutProjectInTheConfiguration()
    {
        // /api/projects/@current/ is the user's last-used project (1 here), not the key's (3).
        await using var s = await StartAsync("phs", projects: old =>
        [
            new { id = 1, name = "Web", secret_api_keys = new[] { Key("web flags") } },
            new { id = 2, name = "Mobile", secret_api_keys = Array.Empty<object>() },
            new { id = 3, name = "Data", secret_api_keys = new[] { Key("flags", old) } },
        ]);

        var result = s.Rotate();

        Assert.True(result.ExitCode == 0, result.ToString());
        var fresh = s.Current();
        Tokens.Remember(fresh);
        await s.AssertWorksAsync(fresh, "after the rotation");
        Assert.Equal(HttpStatusCode.Unauthorized, await s.StatusOfAsync(s.Old));
        Assert.Single(await s.SecretKeysAsync());
        Tool.AssertNoTokenLeaked(result);
    }

    [Fact]
    public async Task Rotate_MaskInTwoProjects_OrInNone_Exits2NamingTheProjectsAndAskingForProject()
    {
        string twin = string.Empty;
        await using var two = await StartAsync("phs", projects: old =>
        {
            // Same first and last four characters, so the same PostHog mask.
            twin = old[..10] + (old[10] == 'a' ? 'b' : 'a') + old[11..];
            Tokens.Remember(twin);
            return [new { id = 1, name = "Web", secret_api_keys = new[] { Key("flags", old) } }, new { id = 3, name = "Data", secret_api_keys = new[] { Key("flags", twin) } }];
        });
        await using var none = await StartAsync("phs", projects: old =>
            [new { id = 1, name = "Web", secret_api_keys = Array.Empty<object>() }, new { id = 2, name = "Mobile", secret_token = old, secret_api_keys = Array.Empty<object>() }]);

        var ambiguous = two.Rotate();
        var missing = none.Rotate();

        Assert.True(ambiguous.ExitCode == 2, ambiguous.ToString());
        Assert.Contains("projects 1, 3 each list a project secret key", ambiguous.Stderr, StringComparison.Ordinal);
        Assert.Contains("'project: ID'", ambiguous.Stderr, StringComparison.Ordinal);
        Assert.True(missing.ExitCode == 2, missing.ToString());
        Assert.Contains("1 (Web), 2 (Mobile)", missing.Stderr, StringComparison.Ordinal);
        Assert.Contains("legacy secret token", missing.Stderr, StringComparison.Ordinal);
        Assert.Equal(two.Old, two.Current());
        Assert.Equal(none.Old, none.Current());
        Tool.AssertNoTokenLeaked(ambiguous);
        Tool.AssertNoTokenLeaked(missing);
    }

    public static TheoryData<string, string> KillPoints()
    {
        var data = new TheoryData<string, string>();
        foreach (var kind in new[] { "phs", "roll" })
        {
            foreach (var step in Steps)
            {
                data.Add(kind, step);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(KillPoints))]
    public async Task Rotate_KilledAtAStep_ThenResumed_EndsDone_AndTheStoreAlwaysHeldAWorkingKey(string kind, string step)
    {
        await using var s = await StartAsync("phs", maxSecretKeys: kind == "roll" ? 1 : 10);

        var killed = s.RotateWith(null, new() { ["HOGGUARD_FAULT_AT"] = step });

        Assert.True(killed.ExitCode != 0 && killed.Stderr.Contains($"HOGGUARD_FAULT_AT={step}", StringComparison.Ordinal), killed.ToString());
        Tokens.Remember(s.Current());
        Tokens.Remember(s.Slot("POSTHOG_SECRET_NEXT"));
        await s.AssertWorksAsync(s.Current(), $"killed at {step}");
        var id = Assert.Single(s.Journals());
        var listed = Tool.Run(s.Repo.Root, "keys", "rotations");
        Assert.Contains($"{id}  production/secret  {step}", listed.Stdout, StringComparison.Ordinal);

        var resumed = s.Rotate("--resume", id);

        Assert.True(resumed.ExitCode == 0, $"killed at {step}; resume: {resumed}");
        var fresh = s.Current();
        Tokens.Remember(fresh);
        Assert.NotEqual(s.Old, fresh);
        await s.AssertWorksAsync(fresh, $"resumed after {step}");
        Assert.Equal(HttpStatusCode.Unauthorized, await s.StatusOfAsync(s.Old));
        Assert.Empty(s.Slot("POSTHOG_SECRET_NEXT"));
        Assert.Empty(s.Slot("POSTHOG_SECRET_PREVIOUS"));
        Assert.Single(await s.SecretKeysAsync());
        Tool.AssertNoTokenLeaked(killed);
        Tool.AssertNoTokenLeaked(resumed);
    }

    [Theory]
    [InlineData("phs", "created")]
    [InlineData("roll", "rolled")]
    public async Task Rotate_KilledAfterPostHogAnsweredButBeforeTheStoreWrite_ResumeRepairsAndLeavesNoOrphan(string kind, string point)
    {
        await using var s = await StartAsync("phs", maxSecretKeys: kind == "roll" ? 1 : 10);

        var killed = s.RotateWith(null, new() { ["HOGGUARD_FAULT_AT"] = point });

        Assert.True(killed.ExitCode != 0 && killed.Stderr.Contains($"HOGGUARD_FAULT_AT={point}", StringComparison.Ordinal), killed.ToString());
        Assert.Equal(s.Old, s.Current());
        Assert.Empty(s.Slot("POSTHOG_SECRET_NEXT"));
        if (kind == "phs")
        {
            // The key PostHog made is not in the store: its value is lost, so resume must delete it.
            Assert.Equal(2, (await s.SecretKeysAsync()).Count);
            await s.AssertWorksAsync(s.Old, "killed after create");
        }

        var resumed = s.Rotate("--resume", Assert.Single(s.Journals()));

        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        var fresh = s.Current();
        Tokens.Remember(fresh);
        await s.AssertWorksAsync(fresh, $"resumed after {point}");
        Assert.Equal(HttpStatusCode.Unauthorized, await s.StatusOfAsync(s.Old));
        Assert.Single(await s.SecretKeysAsync());
        Tool.AssertNoTokenLeaked(resumed);
    }

    [Fact]
    public async Task Resume_AfterSomeoneChangedTheKeyInTheDotenvFile_StopsWithoutOverwritingIt()
    {
        await using var s = await StartAsync("phs");
        var killed = s.RotateWith(null, new() { ["HOGGUARD_FAULT_AT"] = "obtained" });
        Assert.NotEqual(0, killed.ExitCode);
        Tokens.Remember(s.Slot("POSTHOG_SECRET_NEXT"));
        var theirs = Tokens.New("phs_");
        var edited = File.ReadAllText(s.DotenvPath).Replace(s.Old, theirs, StringComparison.Ordinal);
        File.WriteAllText(s.DotenvPath, edited);

        var resumed = s.Rotate("--resume", Assert.Single(s.Journals()));

        Assert.True(resumed.ExitCode == 2, resumed.ToString());
        Assert.Contains("someone changed it", resumed.Stderr, StringComparison.Ordinal);
        Assert.Equal(edited, File.ReadAllText(s.DotenvPath));
        Tool.AssertNoTokenLeaked(resumed);
    }

    [Fact]
    public async Task Abort_BeforePromotion_RestoresTheOldKey_AndDeletesTheNewOne()
    {
        await using var s = await StartAsync("phs");
        var killed = s.RotateWith(null, new() { ["HOGGUARD_FAULT_AT"] = "verified" });
        Assert.NotEqual(0, killed.ExitCode);
        var pending = s.Slot("POSTHOG_SECRET_NEXT");
        Tokens.Remember(pending);

        var aborted = s.Rotate("--abort", Assert.Single(s.Journals()));

        Assert.True(aborted.ExitCode == 0, aborted.ToString());
        Assert.Equal(s.Old, s.Current());
        Assert.Empty(s.Slot("POSTHOG_SECRET_NEXT"));
        await s.AssertWorksAsync(s.Old, "after the abort");
        Assert.Equal(HttpStatusCode.Unauthorized, await s.StatusOfAsync(pending));
        Assert.Single(await s.SecretKeysAsync());
    }

    private static async Task<JsonElement> AsPersonAsync(EmulatorHost emulator, HttpMethod method, string path, object? body = null)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(method, emulator.Address + path);
        request.Headers.Add("X-Emulator-Session", Person);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        using var response = await http.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, $"{method} {path}: {(int)response.StatusCode}");
        return response.StatusCode == HttpStatusCode.NoContent ? default : await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static async Task<(Setup Setup, string OldId)> StartPersonalAsync()
    {
        var old = Tokens.New("phx_");
        var seed = new
        {
            projects = new object[] { new { id = 1, name = "Web" } },
            users = new object[] { new { email = Person, personal_api_keys = new object[] { new { label = "reader", value = old, scopes = new[] { "insight:read", "query:read" }, scoped_teams = new[] { 1 } } } } },
        };
        var emulator = await EmulatorHost.StartAsync(seed);
        var repo = new GitRepo(init: false);
        repo.Write(".env", $"POSTHOG_READER={old}\n");
        repo.Write("hogguard.yml", """
            environments:
              production:
                keys:
                  - { name: reader, source: "dotenv:.env#POSTHOG_READER", purpose: reader, scopes: [query:read, insight:read], project_scoped: true }
            """);
        var keys = await AsPersonAsync(emulator, HttpMethod.Get, "/api/personal_api_keys/");
        var oldId = keys.EnumerateArray().Single().GetProperty("id").GetString()!;
        return (new Setup { Emulator = emulator, Repo = repo, Old = old, Environment = [] }, oldId);
    }

    private static async Task<string> CreatePersonalKeyAsync(EmulatorHost emulator, string[] scopes)
    {
        var created = await AsPersonAsync(emulator, HttpMethod.Post, "/api/personal_api_keys/", new { label = "reader 2", scopes, scoped_teams = new[] { 1 } });
        var value = created.GetProperty("value").GetString()!;
        Tokens.Remember(value);
        return value;
    }

    [Fact]
    public async Task Rotate_PersonalKey_GuidesAPerson_KeyFromStdin_ThenWaitsForTheOldKeyToBeDeleted()
    {
        var (s, oldId) = await StartPersonalAsync();
        await using var _ = s;
        var fresh = await CreatePersonalKeyAsync(s.Emulator, ["query:read", "insight:read"]);

        var first = s.Run("keys", "rotate", "--env", "production", "--key", "reader", "--host", s.Emulator.Address).WithInput(fresh + "\n");

        Assert.True(first.ExitCode == 1, first.ToString());
        Assert.Contains("with exactly these scopes: query:read, insight:read, limited to project(s) 1", first.Stderr, StringComparison.Ordinal);
        Assert.Contains("delete the old key", first.Stderr, StringComparison.Ordinal);
        Assert.Equal(fresh, s.Slot("POSTHOG_READER"));
        Assert.Equal(s.Old, s.Slot("POSTHOG_READER_PREVIOUS"));
        var id = Assert.Single(s.Journals());

        await AsPersonAsync(s.Emulator, HttpMethod.Delete, $"/api/personal_api_keys/{oldId}/");
        var resumed = s.Run("keys", "rotate", "--resume", id, "--host", s.Emulator.Address).WithInput(string.Empty);

        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        Assert.Equal($"POSTHOG_READER={fresh}\n", File.ReadAllText(s.DotenvPath));
        Tool.AssertNoTokenLeaked(first);
        Tool.AssertNoTokenLeaked(resumed);
    }

    [Fact]
    public async Task Rotate_PersonalKey_WithWait_PollsUntilThePersonDeletesTheOldKey()
    {
        var (s, oldId) = await StartPersonalAsync();
        await using var _ = s;
        var fresh = await CreatePersonalKeyAsync(s.Emulator, ["insight:read", "query:read"]);

        var run = Task.Run(() => s.Run("keys", "rotate", "--env", "production", "--key", "reader", "--host", s.Emulator.Address, "--wait", "--poll-interval", "1").WithInput(fresh + "\n"));
        while (s.Slot("POSTHOG_READER_PREVIOUS").Length == 0 && !run.IsCompleted)
        {
            await Task.Delay(100);
        }

        await AsPersonAsync(s.Emulator, HttpMethod.Delete, $"/api/personal_api_keys/{oldId}/");
        var result = await run;

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal($"POSTHOG_READER={fresh}\n", File.ReadAllText(s.DotenvPath));
    }

    [Fact]
    public async Task Rotate_PersonalKey_WithOtherScopes_IsRefused_AndTheOldKeyStaysCurrent()
    {
        var (s, _) = await StartPersonalAsync();
        await using var __ = s;
        var wrong = await CreatePersonalKeyAsync(s.Emulator, ["insight:read", "insight:write", "query:read"]);

        var result = s.Run("keys", "rotate", "--env", "production", "--key", "reader", "--host", s.Emulator.Address).WithInput(wrong + "\n");

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("the new key has scopes [insight:read, insight:write, query:read] but the policy needs exactly [insight:read, query:read]", result.Stderr, StringComparison.Ordinal);
        Assert.Equal($"POSTHOG_READER={s.Old}\n", File.ReadAllText(s.DotenvPath));
        Tool.AssertNoTokenLeaked(result);
    }

    [Fact]
    public async Task Rotate_KeyInAnEnvironmentVariable_HandsTheNewKeyToTheDeployer_AndWaitsForConfirmation()
    {
        await using var s = await StartAsync("phs");
        s.Repo.Write("hogguard.yml", """
            environments:
              production:
                keys:
                  - { name: secret, source: "env:POSTHOG_SECRET", purpose: flags }
            rotation:
              rotator: env:POSTHOG_ROTATOR
            """);
        var environment = new Dictionary<string, string> { ["POSTHOG_SECRET"] = s.Old };

        var unconfirmed = s.RotateWith(string.Empty, environment);

        Assert.True(unconfirmed.ExitCode == 1, unconfirmed.ToString());
        var id = Assert.Single(s.Journals());
        var handoff = Path.Combine(s.Repo.Root, ".hogguard", "rotations", id + ".key");
        Assert.Contains(handoff, unconfirmed.Stderr, StringComparison.Ordinal);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(handoff));
        }

        var fresh = File.ReadAllText(handoff).Trim();
        Tokens.Remember(fresh);
        await s.AssertWorksAsync(fresh, "the handed-off key");
        await s.AssertWorksAsync(s.Old, "the deployed key before confirmation");
        Assert.Equal("*\n", File.ReadAllText(Path.Combine(s.Repo.Root, ".hogguard", ".gitignore")));

        var confirmed = s.RotateWith(null, environment, "--resume", id, "--yes");

        Assert.True(confirmed.ExitCode == 0, confirmed.ToString());
        Assert.False(File.Exists(handoff));
        Assert.Equal(HttpStatusCode.Unauthorized, await s.StatusOfAsync(s.Old));
        await s.AssertWorksAsync(fresh, "after the rotation");
        Tool.AssertNoTokenLeaked(unconfirmed);
        Tool.AssertNoTokenLeaked(confirmed);
    }

    [Fact]
    public async Task Abort_AfterAKeyWasCreatedButNeverStored_DeletesIt()
    {
        await using var s = await StartAsync("phs");
        var killed = s.RotateWith(null, new() { ["HOGGUARD_FAULT_AT"] = "created" });
        Assert.NotEqual(0, killed.ExitCode);
        Assert.Equal(2, (await s.SecretKeysAsync()).Count);

        var aborted = s.Rotate("--abort", Assert.Single(s.Journals()));

        Assert.True(aborted.ExitCode == 0, aborted.ToString());
        Assert.Equal(s.Old, s.Current());
        await s.AssertWorksAsync(s.Old, "after the abort");
        Assert.Single(await s.SecretKeysAsync());
        var listed = Tool.Run(s.Repo.Root, "keys", "rotations");
        Assert.Contains("production/secret  aborted", listed.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rotate_TwoRunsOfOneKeyAtOnce_NeitherOrphansAKeyNorLeavesAJournalOpen()
    {
        // Before the per-store lock one run won and the other left a 'requested' journal and a live key.
        await using var s = await StartAsync("phs");

        var runs = await Task.WhenAll(Task.Run(() => s.Rotate()), Task.Run(() => s.Rotate()));

        foreach (var run in runs)
        {
            Assert.True(run.ExitCode == 0 || (run.ExitCode == 2 && (run.Stderr.Contains("another rotation of", StringComparison.Ordinal) || run.Stderr.Contains("is unfinished", StringComparison.Ordinal))), run.ToString());
            Tool.AssertNoTokenLeaked(run);
        }

        Assert.Contains(runs, r => r.ExitCode == 0);
        var fresh = s.Current();
        Tokens.Remember(fresh);
        await s.AssertWorksAsync(fresh, "after both runs");
        Assert.Single(await s.SecretKeysAsync());
        Assert.DoesNotContain("requested", Tool.Run(s.Repo.Root, "keys", "rotations").Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rotate_RotatorWithoutProjectWrite_IsRefusedAtStart_AndLeavesNoJournal()
    {
        await using var s = await StartAsync("phs", rotatorScopes: ["project:read"]);

        var result = s.Rotate();

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("lacks the scope 'project:write'", result.Stderr, StringComparison.Ordinal);
        Assert.Empty(s.Journals());
        Assert.Equal(s.Old, s.Current());
    }

    [Fact]
    public async Task Abort_AfterSomeoneElsePutAnotherKeyInTheStore_DeletesOnlyWhatItMade_AndFinishes()
    {
        await using var s = await StartAsync("phs");
        var killed = s.RotateWith(null, new() { ["HOGGUARD_FAULT_AT"] = "created" });
        Assert.NotEqual(0, killed.ExitCode);
        using var http = new HttpClient();
        using var create = new HttpRequestMessage(HttpMethod.Post, s.Emulator.Address + "/api/projects/1/project_secret_api_keys/") { Content = JsonContent.Create(new { label = "by hand", scopes = new[] { "feature_flag:read" } }) };
        create.Headers.Add("X-Emulator-Session", Person);
        using var made = await http.SendAsync(create);
        var theirs = (await made.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("value").GetString()!;
        Tokens.Remember(theirs);
        File.WriteAllText(s.DotenvPath, File.ReadAllText(s.DotenvPath).Replace(s.Old, theirs, StringComparison.Ordinal));

        var aborted = s.Rotate("--abort", Assert.Single(s.Journals()));

        Assert.True(aborted.ExitCode == 0, aborted.ToString());
        Assert.Contains("it is left as it is", aborted.Stderr, StringComparison.Ordinal);
        Assert.Equal(theirs, s.Current());
        await s.AssertWorksAsync(theirs, "their key is untouched");
        Assert.Equal(["by hand", "flags"], (await s.SecretKeysAsync()).Select(k => k.GetProperty("label").GetString()).Order());
        Tool.AssertNoTokenLeaked(aborted);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Rotate_SymlinkedDotenvOutsideTheConfigFolder_NeedsAllowOutside_ThenRewritesTheSharedTarget()
    {
        // app/.env -> ../shared/app.env: the rotation must change the shared file every reader sees
        // (it used to replace the link and leave the target with the key it then deleted).
        await using var s = await StartAsync("phs");
        var shared = Path.Combine(s.Repo.Root, "shared", "app.env");
        Directory.CreateDirectory(Path.GetDirectoryName(shared)!);
        File.Move(s.DotenvPath, shared);
        File.SetUnixFileMode(shared, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
        Directory.CreateDirectory(Path.Combine(s.Repo.Root, "app"));
        File.CreateSymbolicLink(Path.Combine(s.Repo.Root, "app", ".env"), "../shared/app.env");
        var config = File.ReadAllText(Path.Combine(s.Repo.Root, "hogguard.yml"));
        File.WriteAllText(Path.Combine(s.Repo.Root, "app", "hogguard.yml"), config);
        ToolResult Rotate() => Tool.RunWithEnvironment(s.Repo.Root, null, s.Environment, "keys", "rotate", "--config", "app/hogguard.yml", "--env", "production", "--key", "secret", "--host", s.Emulator.Address);

        var refused = Rotate();
        File.WriteAllText(Path.Combine(s.Repo.Root, "app", "hogguard.yml"), config.Replace("rotation:\n", "rotation:\n  allow_outside: true\n", StringComparison.Ordinal));
        var rotated = Rotate();

        Assert.True(refused.ExitCode == 2, refused.ToString());
        Assert.Contains("allow_outside: true", refused.Stderr, StringComparison.Ordinal);
        Assert.True(rotated.ExitCode == 0, rotated.ToString());
        Assert.Contains("outside", rotated.Stderr, StringComparison.Ordinal);
        Assert.Equal("../shared/app.env", new FileInfo(Path.Combine(s.Repo.Root, "app", ".env")).LinkTarget);
        var fresh = System.Text.RegularExpressions.Regex.Match(File.ReadAllText(shared), "POSTHOG_SECRET=\"([^\"]+)\"").Groups[1].Value;
        Tokens.Remember(fresh);
        Assert.NotEqual(s.Old, fresh);
        await s.AssertWorksAsync(fresh, "the shared file holds the new key");
        Assert.Equal(HttpStatusCode.Unauthorized, await s.StatusOfAsync(s.Old));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, File.GetUnixFileMode(shared));
        Tool.AssertNoTokenLeaked(rotated);
    }

    [Fact]
    public async Task Rotate_BadInput_OneLine_ExitTwo_AndTheOldKeyStaysCurrent()
    {
        await using var s = await StartAsync("phs");
        var before = File.ReadAllText(s.DotenvPath);

        var unknownEnv = Tool.RunWithEnvironment(s.Repo.Root, null, s.Environment, "keys", "rotate", "--env", "prod", "--key", "secret", "--host", s.Emulator.Address);
        var unknownKey = Tool.RunWithEnvironment(s.Repo.Root, null, s.Environment, "keys", "rotate", "--env", "production", "--key", "writer", "--host", s.Emulator.Address);
        var unreachable = Tool.RunWithEnvironment(s.Repo.Root, null, s.Environment, "keys", "rotate", "--env", "production", "--key", "secret", "--host", "http://127.0.0.1:9");
        var noRotator = Tool.Run(s.Repo.Root, "keys", "rotate", "--env", "production", "--key", "secret", "--host", s.Emulator.Address);

        Assert.True(unknownEnv.ExitCode == 2 && unknownEnv.Stderr.Contains("no environment 'prod'; it has: production", StringComparison.Ordinal), unknownEnv.ToString());
        Assert.True(unknownKey.ExitCode == 2 && unknownKey.Stderr.Contains("has no key 'writer'; it has: secret", StringComparison.Ordinal), unknownKey.ToString());
        Assert.True(unreachable.ExitCode == 2 && unreachable.Stderr.Contains("could not be reached", StringComparison.Ordinal), unreachable.ToString());
        Assert.True(noRotator.ExitCode == 2 && noRotator.Stderr.Contains("the rotator key cannot be read", StringComparison.Ordinal), noRotator.ToString());
        Assert.Equal(before, File.ReadAllText(s.DotenvPath));
        await s.AssertWorksAsync(s.Current(), "after refused runs");

        // A start refused before PostHog was asked anything leaves no journal behind.
        Assert.Empty(s.Journals());
        var unknownId = s.Rotate("--resume", "rot-20260101-000000-0000");
        Assert.NotEqual(0, s.RotateWith(null, new() { ["HOGGUARD_FAULT_AT"] = "requested" }).ExitCode);
        var journal = Assert.Single(s.Journals());
        File.WriteAllText(Path.Combine(s.Repo.Root, ".hogguard", "rotations", journal + ".json"), "{ \"id\": ");
        var damaged = s.Rotate("--resume", journal);
        var traversal = s.Rotate("--resume", "../../hogguard");

        Assert.True(unknownId.ExitCode == 2 && unknownId.Stderr.Contains("no rotation 'rot-20260101-000000-0000'", StringComparison.Ordinal), unknownId.ToString());
        Assert.True(damaged.ExitCode == 2 && damaged.Stderr.Contains("is not a rotation journal", StringComparison.Ordinal) && !damaged.Stderr.Contains("internal error", StringComparison.Ordinal), damaged.ToString());
        Assert.True(traversal.ExitCode == 2 && traversal.Stderr.Contains("no rotation", StringComparison.Ordinal), traversal.ToString());
        Assert.Equal(before, File.ReadAllText(s.DotenvPath));
    }
}
