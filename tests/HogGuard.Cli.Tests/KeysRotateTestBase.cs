using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using HogGuard.Cli.Tests.Infrastructure;
using HogGuard.Testing;

namespace HogGuard.Cli.Tests;

/// <summary>
/// What the <c>hogguard keys rotate</c> tests share: the emulator with a rotator, a project and its
/// keys, a store, and runs of the tool. The tests are split by subject into classes that run side
/// by side: secret keys, the legacy token, personal keys, kills at every step.
/// </summary>
public abstract class KeysRotateTestBase
{
    protected const string Person = "admin@example.com";

    protected sealed class Setup : IAsyncDisposable
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

    protected sealed record Invocation(Setup Setup, string[] Args)
    {
        public ToolResult WithInput(string stdin) => Infrastructure.Tool.RunWithEnvironment(Setup.Repo.Root, stdin, Setup.Environment, Args);
    }

    protected static readonly string[] Steps = ["started", "requested", "obtained", "verified", "promoted", "revoked"];

    /// <summary>A project whose phs_ key (or legacy secret token) sits in a dotenv file, and a rotator personal key.</summary>
    protected static async Task<Setup> StartAsync(string kind, int maxSecretKeys = 10, string dotenvTemplate = "# settings\nexport POSTHOG_SECRET=\"{0}\" # flags\nOTHER=value\n", Func<string, object[]>? projects = null, string level = "admin", string[]? rotatorScopes = null)
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

    protected static object Key(string label, string? value = null) => new { label, value, scopes = new[] { "feature_flag:read" } };

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

    protected static Task<JsonElement> AsPersonAsync(EmulatorHost emulator, HttpMethod method, string path, object? body = null) =>
        emulator.AsPersonAsync(Person, method, path, body);

    protected static async Task<(Setup Setup, string OldId)> StartPersonalAsync()
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

    protected static async Task<string> CreatePersonalKeyAsync(EmulatorHost emulator, string[] scopes)
    {
        var created = await AsPersonAsync(emulator, HttpMethod.Post, "/api/personal_api_keys/", new { label = "reader 2", scopes, scoped_teams = new[] { 1 } });
        var value = created.GetProperty("value").GetString()!;
        Tokens.Remember(value);
        return value;
    }

    /// <summary>After a rotation of a secret key: the store's new key works, the old one is refused, and the project holds one key.</summary>
    protected static async Task AssertReplacedAsync(Setup s, string when)
    {
        var fresh = s.Current();
        Tokens.Remember(fresh);
        await s.AssertWorksAsync(fresh, when);
        Assert.Equal(HttpStatusCode.Unauthorized, await s.StatusOfAsync(s.Old));
        Assert.Single(await s.SecretKeysAsync());
    }
}
