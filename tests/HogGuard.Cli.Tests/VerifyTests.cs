using HogGuard.Cli.Tests.Infrastructure;
using HogGuard.Testing;

namespace HogGuard.Cli.Tests;

/// <summary><c>scan --verify</c> and <c>--revoke</c> against the emulator over real loopback HTTP.</summary>
public sealed class VerifyTests
{
    private static object Seed(string writer, string reader, string secret) => new
    {
        projects = new object[] { new { id = 1, name = "Web", secret_api_keys = new object[] { new { label = "flags", value = secret, scopes = new[] { "feature_flag:read" } } } } },
        users = new object[]
        {
            new
            {
                email = "dev@example.com",
                personal_api_keys = new object[]
                {
                    new { label = "writer", value = writer, scopes = new[] { "insight:write" } },
                    new { label = "reader", value = reader, scopes = new[] { "insight:read" }, created_at = "2026-01-02T03:04:05Z" },
                },
            },
        },
    };

    [Fact]
    public async Task Verify_LiveInvalidAndUncheckable_AreToldApartAndWritersRaised()
    {
        var writer = Tokens.New("phx_");
        var reader = Tokens.New("phx_");
        var secret = Tokens.New("phs_");
        var revoked = Tokens.New("phx_");
        var refresh = Tokens.New("phr_");
        await using var emulator = await EmulatorHost.StartAsync(Seed(writer, reader, secret));
        using var repo = new GitRepo(init: false);
        repo.Write("leaks.txt", string.Join("\n", writer, reader, secret, revoked, refresh) + "\n");

        var result = Tool.Run(repo.Root, "scan", "--no-git", "--verify", "--host", emulator.Address, "--format", "json");

        Assert.True(result.ExitCode == 1, result.ToString());
        var report = Report.Parse(result);
        string Status(string token) => report.ByFingerprint(TestTokens.Sha256Prefix(token)).GetProperty("verification").GetProperty("status").GetString()!;
        Assert.Equal("live", Status(writer));
        Assert.Equal("live", Status(reader));
        Assert.Equal("live", Status(secret));
        Assert.Equal("invalid", Status(revoked));
        Assert.Equal("unknown", Status(refresh));
        var readerVerification = report.ByFingerprint(TestTokens.Sha256Prefix(reader)).GetProperty("verification");
        Assert.Equal(["insight:read"], readerVerification.GetProperty("scopes").EnumerateArray().Select(e => e.GetString()));
        Assert.False(readerVerification.GetProperty("can_write").GetBoolean());
        Assert.StartsWith("2026-01-02T03:04:05", readerVerification.GetProperty("created_at").GetString(), StringComparison.Ordinal);
        Assert.True(report.ByFingerprint(TestTokens.Sha256Prefix(writer)).GetProperty("verification").GetProperty("can_write").GetBoolean());
    }

    [Fact]
    public async Task Verify_OAuthAccessToken_IsCheckedAgainstUsersMe()
    {
        // An OAuth access token is checked with /api/users/@me/; this one was never issued, so every
        // host answers 401 and the finding says invalid (live OAuth tokens: see the client tests).
        await using var emulator = await EmulatorHost.StartAsync(Seed(Tokens.New("phx_"), Tokens.New("phx_"), Tokens.New("phs_")));
        using var repo = new GitRepo(init: false);
        var oauth = Tokens.New("pha_");
        repo.Write("a.txt", oauth);

        var report = Report.Parse(Tool.Run(repo.Root, "scan", "--no-git", "--verify", "--host", emulator.Address, "--format", "json"));

        Assert.Equal("invalid", report.ByFingerprint(TestTokens.Sha256Prefix(oauth)).GetProperty("verification").GetProperty("status").GetString());
    }

    [Fact]
    public async Task Revoke_WithYes_RevokesLiveKeysAndTheyStopWorking()
    {
        var writer = Tokens.New("phx_");
        await using var emulator = await EmulatorHost.StartAsync(Seed(writer, Tokens.New("phx_"), Tokens.New("phs_")));
        using var repo = new GitRepo(init: false);
        repo.Write("leak.txt", writer);
        repo.Write("hogguard.yml", "audit:\n  directory: audit-log\n");

        var revoke = Tool.Run(repo.Root, "scan", "--no-git", "--revoke", "--yes", "--host", emulator.Address, "--format", "json");
        var audit = Tool.Run(repo.Root, "audit", "verify", Path.Combine(repo.Root, "audit-log"));
        var auditLines = Tool.Run(repo.Root, "audit", "tail", Path.Combine(repo.Root, "audit-log"));
        Assert.StartsWith("ok: 1 entries", audit.Stdout, StringComparison.Ordinal);
        Assert.Contains("\"action\":\"key.revoke\"", auditLines.Stdout, StringComparison.Ordinal);
        Assert.Contains(TestTokens.Sha256Prefix(writer), auditLines.Stdout, StringComparison.Ordinal);
        var after = Tool.Run(repo.Root, "scan", "--no-git", "--verify", "--host", emulator.Address, "--format", "json");

        var revocation = Report.Parse(revoke).ByFingerprint(TestTokens.Sha256Prefix(writer)).GetProperty("verification").GetProperty("revocation");
        Assert.True(revocation.GetProperty("found").GetBoolean());
        Assert.Equal("personal_api_key", revocation.GetProperty("type").GetString());
        Assert.Contains("revoked phx_...", revoke.Stderr, StringComparison.Ordinal);
        Assert.Contains("rolled by PostHog, owner emailed", revoke.Stderr, StringComparison.Ordinal);
        Assert.Equal("invalid", Report.Parse(after).ByFingerprint(TestTokens.Sha256Prefix(writer)).GetProperty("verification").GetProperty("status").GetString());
    }

    [Fact]
    public async Task Revoke_LegacyTokenAndDeadOAuthToken_AreToldApart()
    {
        // posthog/api/secret_revocation.py: OAuth sessions are revoked even for an access token that no
        // longer verifies; the legacy team secret token is unknown to revocation.
        var legacy = Tokens.New("phs_");
        var oauth = Tokens.New("pha_");
        var seed = new { projects = new object[] { new { id = 1, name = "Web", secret_token = legacy } } };
        await using var emulator = await EmulatorHost.StartAsync(seed);
        using var repo = new GitRepo(init: false);
        repo.Write("leak.txt", legacy + "\n" + oauth + "\n");

        var result = Tool.Run(repo.Root, "scan", "--no-git", "--revoke", "--yes", "--host", emulator.Address, "--format", "json");

        var report = Report.Parse(result);
        var legacyVerification = report.ByFingerprint(TestTokens.Sha256Prefix(legacy)).GetProperty("verification");
        Assert.Equal("live", legacyVerification.GetProperty("status").GetString());
        Assert.Contains("legacy team secret token", legacyVerification.GetProperty("revocation").GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains("hogguard keys rotate", result.Stderr, StringComparison.Ordinal);
        var oauthVerification = report.ByFingerprint(TestTokens.Sha256Prefix(oauth)).GetProperty("verification");
        Assert.Equal("invalid", oauthVerification.GetProperty("status").GetString());
        Assert.False(oauthVerification.GetProperty("revocation").GetProperty("found").GetBoolean());
        Tool.AssertNoTokenLeaked(result);
    }

    [Fact]
    public async Task Revoke_WithoutYesAndNoTerminal_Exits2AndRevokesNothing()
    {
        var writer = Tokens.New("phx_");
        await using var emulator = await EmulatorHost.StartAsync(Seed(writer, Tokens.New("phx_"), Tokens.New("phs_")));
        using var repo = new GitRepo(init: false);
        repo.Write("leak.txt", writer);

        var refused = Tool.Run(repo.Root, "scan", "--no-git", "--revoke", "--host", emulator.Address);
        var after = Tool.Run(repo.Root, "scan", "--no-git", "--verify", "--host", emulator.Address, "--format", "json");

        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("--yes", refused.Stderr, StringComparison.Ordinal);
        Assert.Equal("live", Report.Parse(after).ByFingerprint(TestTokens.Sha256Prefix(writer)).GetProperty("verification").GetProperty("status").GetString());
    }

    [Fact]
    public void Verify_HostThatDoesNotAnswer_Exits2NamingItAndWritesNoReport()
    {
        using var repo = new GitRepo(init: false);
        repo.Write("leak.txt", Tokens.New("phx_"));
        var output = Path.Combine(repo.Root, "report.json");

        // Port 9 on loopback: nothing listens, the connection is refused at once.
        var result = Tool.Run(repo.Root, "scan", "--no-git", "--verify", "--host", "http://127.0.0.1:9", "--output", output);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("http://127.0.0.1:9", result.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(output));
    }

    [Fact]
    public async Task Verify_ServerErrorsThenSuccess_IsRetriedAndLive()
    {
        var writer = Tokens.New("phx_");
        var seed = Seed(writer, Tokens.New("phx_"), Tokens.New("phs_"));
        await using var emulator = await EmulatorHost.StartAsync(seed);
        using (var http = new HttpClient())
        {
            using var set = await http.PutAsync(
                emulator.Address + "/_emulator/faults",
                new StringContent("""[{"route":"/api/personal_api_keys/","status":503,"count":2},{"route":"/api/","status":429,"retry_after_seconds":1,"count":1}]"""));
            Assert.Equal(204, (int)set.StatusCode);
        }

        using var repo = new GitRepo(init: false);
        repo.Write("leak.txt", writer);

        var report = Report.Parse(Tool.Run(repo.Root, "scan", "--no-git", "--verify", "--host", emulator.Address, "--format", "json"));

        Assert.Equal("live", report.ByFingerprint(TestTokens.Sha256Prefix(writer)).GetProperty("verification").GetProperty("status").GetString());
    }

    [Fact]
    public void Scan_WithoutVerify_NeverTouchesTheNetwork()
    {
        using var repo = new GitRepo(init: false);
        repo.Write("leak.txt", Tokens.New("phx_"));

        var result = Tool.Run(repo.Root, "scan", "--no-git", "--format", "json");

        Assert.DoesNotContain(Report.Parse(result).Findings, f => f.TryGetProperty("verification", out _));
    }

    [Fact]
    public void Host_NotAUrl_Exits2()
    {
        using var repo = new GitRepo(init: false);
        var result = Tool.Run(repo.Root, "scan", "--verify", "--host", "ftp://example");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("is not an http(s) URL", result.Stderr, StringComparison.Ordinal);
    }
}
