using HogGuard.Cli.Tests.Infrastructure;
using HogGuard.Testing;

namespace HogGuard.Cli.Tests;

/// <summary>
/// A token fed through every error path and every audit field never comes out whole: not on stdout
/// or stderr, not in the log's segment files, not in what PostHog receives.
/// </summary>
public sealed class RedactionTests
{
    [Fact]
    public void KeyPastedWhereASourceBelongs_IsMaskedInTheError()
    {
        using var repo = new GitRepo(init: false);
        var key = Tokens.New("phx_");
        var whsec = "whsec_" + Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

        repo.Write("rotator.yml", $"rotation:\n  rotator: {key}\nenvironments:\n  p:\n    keys:\n      - {{ name: r, source: \"env:R\", purpose: reader }}\n");
        var rotator = Tool.Run(repo.Root, "keys", "rotate", "--config", "rotator.yml", "--env", "p", "--key", "r");
        repo.Write("source.yml", $"environments:\n  p:\n    keys:\n      - {{ name: r, source: {key}, purpose: reader }}\n");
        var source = Tool.Run(repo.Root, "keys", "audit", "--config", "source.yml");
        repo.Write("webhook.yml", $"webhooks:\n  - {{ name: a, secret: {whsec} }}\n");
        var webhook = Tool.Run(repo.Root, "check", ".", "--config", "webhook.yml");
        repo.Write("baseline.json", $"{{ \"version\": 1, \"findings\": [ {key} ] }}");
        var baseline = Tool.Run(repo.Root, "scan", "rotator.yml", "--baseline", "baseline.json");

        foreach (var run in new[] { rotator, source, webhook, baseline })
        {
            Assert.NotEqual(0, run.ExitCode);
            Tool.AssertNoTokenLeaked(run);
            Assert.DoesNotContain(whsec[6..], run.Stdout + run.Stderr, StringComparison.Ordinal);
        }

        Assert.Contains("phx_...", rotator.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TokensInEveryAuditField_AreMaskedBeforeTheyAreWrittenOrShipped()
    {
        var token = Tokens.New("phc_");
        await using var emulator = await EmulatorHost.StartAsync(new { projects = new object[] { new { id = 1, name = "p", api_token = token } } });
        using var folder = new GitRepo(init: false);
        var dir = Path.Combine(folder.Root, "audit");
        var (a, b, c, d, e, f) = (Tokens.New("phx_"), Tokens.New("phs_"), Tokens.New("pha_"), Tokens.New("phr_"), Tokens.New("phx_"), Tokens.New("phs_"));
        var line = $$$"""{"action":"used {{{a}}}","user_id":"{{{b}}}","resource":"Bearer_{{{c}}}","result":"success","metadata":{"{{{d}}}":"key","note":"{{{e}}}XYZ","glued":"x{{{f}}}"}}""";

        var append = Tool.RunWithInput(folder.Root, line + "\n", "audit", "append", dir);
        var ship = Tool.Run(folder.Root, "audit", "ship", dir, "--host", emulator.Address, "--project-token", token);
        var tail = Tool.Run(folder.Root, "audit", "tail", dir);
        using var http = new HttpClient();
        var events = await http.GetStringAsync(emulator.Address + "/_emulator/events");
        var files = string.Concat(Directory.GetFiles(dir).Select(File.ReadAllText));

        Assert.True(append.ExitCode == 0, append.ToString());
        Assert.True(ship.ExitCode == 0, ship.ToString());
        foreach (var secret in new[] { a, b, c, d, e, f })
        {
            Assert.DoesNotContain(secret, files, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, events, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, tail.Stdout, StringComparison.Ordinal);
        }

        Assert.Contains(HogGuard.Testing.TestTokens.Sha256Prefix(a), files, StringComparison.Ordinal);
        Assert.True(Tool.Run(folder.Root, "audit", "verify", dir).ExitCode == 0);
    }
}
