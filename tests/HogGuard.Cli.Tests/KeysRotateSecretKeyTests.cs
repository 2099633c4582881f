using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using HogGuard.Cli.Tests.Infrastructure;

namespace HogGuard.Cli.Tests;

/// <summary><c>hogguard keys rotate</c> end to end against the emulator over loopback: project secret keys: overlap, roll at the limit, project lookup, aborts, concurrent runs, bad input.</summary>
public sealed class KeysRotateSecretKeyTests : KeysRotateTestBase
{
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
        await AssertReplacedAsync(s, "after the roll");
        Tool.AssertNoTokenLeaked(result);
    }

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
        await AssertReplacedAsync(s, "after the rotation");
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
