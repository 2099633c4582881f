using System.Net.Http.Json;
using HogGuard.Cli.Tests.Infrastructure;
using HogGuard.Testing;

namespace HogGuard.Cli.Tests;

public sealed class AuditCommandTests
{
    private const string Lines = """
        {"action":"key.revoked","user_id":"alice","resource":"key/1","result":"success","metadata":{"reason":"leak"}}
        {"action":"key.rotated","user_id":"bob","resource":"key/2","result":"failure"}
        {"action":"key.rotated","user_id":"bob","resource":"key/2","result":"success"}
        """;

    [Fact]
    public async Task AppendVerifyTailShip_WorkTogether()
    {
        var token = Tokens.New("phc_");
        await using var emulator = await EmulatorHost.StartAsync(new { projects = new object[] { new { id = 1, name = "p", api_token = token } } });
        using var folder = new GitRepo(init: false);
        var dir = Path.Combine(folder.Root, "audit");

        var append = Tool.RunWithInput(folder.Root, Lines + "\n", "audit", "append", dir);
        var verify = Tool.Run(folder.Root, "audit", "verify", dir);
        var tail = Tool.Run(folder.Root, "audit", "tail", dir, "-n", "2");
        folder.Write("hogguard.yml", $"audit:\n  host: {emulator.Address}\n  project_token: {token}\n  event: audit_entry\n");
        var ship = Tool.Run(folder.Root, "audit", "ship", dir);
        var again = Tool.Run(folder.Root, "audit", "ship", dir, "--host", emulator.Address, "--project-token", token);
        using var http = new HttpClient();
        var events = await http.GetFromJsonAsync<System.Text.Json.JsonElement>(emulator.Address + "/_emulator/events");

        Assert.Equal(["1", "2", "3"], append.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(0, verify.ExitCode);
        Assert.StartsWith("ok: 3 entries", verify.Stdout, StringComparison.Ordinal);
        Assert.Equal(2, tail.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Contains("\"seq\":3", tail.Stdout, StringComparison.Ordinal);
        Assert.True(ship.ExitCode == 0, ship.ToString());
        Assert.StartsWith("shipped 3 entries; 0 waiting", ship.Stdout, StringComparison.Ordinal);
        Assert.StartsWith("shipped 0 entries", again.Stdout, StringComparison.Ordinal);
        Assert.Equal(["alice", "bob", "bob"], events.EnumerateArray().Select(e => e.GetProperty("distinct_id").GetString()));
        Assert.All(events.EnumerateArray(), e => Assert.Equal("audit_entry", e.GetProperty("event").GetString()));
    }

    [Fact]
    public async Task TailFollow_PrintsEntriesWrittenLater()
    {
        using var folder = new GitRepo(init: false);
        var dir = Path.Combine(folder.Root, "audit");
        Tool.RunWithInput(folder.Root, Lines + "\n", "audit", "append", dir);
        using var tail = Tool.Start("audit", "tail", dir, "-n", "1", "--follow");
        try
        {
            Assert.Contains("\"seq\":3", await tail.StandardOutput.ReadLineAsync(), StringComparison.Ordinal);
            Tool.RunWithInput(folder.Root, "{\"action\":\"later\",\"user_id\":\"u\",\"resource\":\"r\",\"result\":\"success\"}\n", "audit", "append", dir);
            var next = await tail.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(20));
            Assert.Contains("\"seq\":4", next, StringComparison.Ordinal);
            Assert.Contains("\"action\":\"later\"", next, StringComparison.Ordinal);
        }
        finally
        {
            tail.Kill();
        }
    }

    [Fact]
    public void Append_BadLine_Exits2NamingItAndKeepsTheEntriesBefore()
    {
        using var folder = new GitRepo(init: false);
        var dir = Path.Combine(folder.Root, "audit");

        var result = Tool.RunWithInput(folder.Root, "{\"action\":\"a\",\"user_id\":\"u\",\"resource\":\"r\",\"result\":\"success\"}\n{\"action\":\"a\"}\n", "audit", "append", dir);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("line 2: 'user_id' is required", result.Stderr, StringComparison.Ordinal);
        Assert.StartsWith("ok: 1 entries", Tool.Run(folder.Root, "audit", "verify", dir).Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_EditedEntry_Exits1WithItsSequence()
    {
        using var folder = new GitRepo(init: false);
        var dir = Path.Combine(folder.Root, "audit");
        Tool.RunWithInput(folder.Root, Lines + "\n", "audit", "append", dir);
        var segment = Directory.GetFiles(dir, "audit-*.jsonl").Single();
        File.WriteAllText(segment, File.ReadAllText(segment).Replace("\"user_id\":\"bob\"", "\"user_id\":\"eve\"", StringComparison.Ordinal));

        var result = Tool.Run(folder.Root, "audit", "verify", dir);

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("tampered: edited at sequence 2", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Ship_HostThatDoesNotAnswer_Exits2AndTheCursorStays()
    {
        using var folder = new GitRepo(init: false);
        var dir = Path.Combine(folder.Root, "audit");
        Tool.RunWithInput(folder.Root, Lines + "\n", "audit", "append", dir);

        var result = Tool.Run(folder.Root, "audit", "ship", dir, "--host", "http://127.0.0.1:9", "--project-token", Tokens.New("phc_"));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("127.0.0.1:9", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("shipped 0 entries; 3 waiting; cursor at 0", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Append_EntryWithABlankUserId_Exits2_AndWritesNothingFromThatLine()
    {
        // Capture refuses a whole batch for one event without a distinct id (rust/capture/src/api.rs).
        using var folder = new GitRepo(init: false);
        var dir = Path.Combine(folder.Root, "audit");
        const string Input = "{\"action\":\"a\",\"user_id\":\"ci\",\"resource\":\"r\",\"result\":\"success\"}\n{\"action\":\"b\",\"user_id\":\"  \",\"resource\":\"r\",\"result\":\"success\"}\n";

        var append = Tool.RunWithInput(folder.Root, Input, "audit", "append", dir);
        var stats = Tool.Run(folder.Root, "audit", "verify", dir);

        Assert.Equal(2, append.ExitCode);
        Assert.Contains("line 2", append.Stderr, StringComparison.Ordinal);
        Assert.Contains("distinct_id", append.Stderr, StringComparison.Ordinal);
        Assert.StartsWith("ok: 1 entries", stats.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ship_CaptureRefusesABatch_TheRefusedEntryIsIsolated_TheRestShips_Exit1()
    {
        // Capture answers 400 to a whole batch it refuses (rust/capture/src/api.rs). The emulator's
        // fault refuses the first two requests: the batch of three, then its first half, entry 1 alone.
        var token = Tokens.New("phc_");
        await using var emulator = await EmulatorHost.StartAsync(new
        {
            projects = new object[] { new { id = 1, name = "p", api_token = token } },
            faults = new object[] { new { route = "/batch/", status = 400, count = 2 } },
        });
        using var folder = new GitRepo(init: false);
        var dir = Path.Combine(folder.Root, "audit");
        Tool.RunWithInput(folder.Root, Lines + "\n", "audit", "append", dir);

        var ship = Tool.Run(folder.Root, "audit", "ship", dir, "--host", emulator.Address, "--project-token", token);
        var again = Tool.Run(folder.Root, "audit", "ship", dir, "--host", emulator.Address, "--project-token", token);
        using var http = new HttpClient();
        var events = await http.GetFromJsonAsync<System.Text.Json.JsonElement>(emulator.Address + "/_emulator/events");

        Assert.True(ship.ExitCode == 1, ship.ToString());
        Assert.StartsWith("shipped 2 entries; 0 waiting; cursor at 3", ship.Stdout, StringComparison.Ordinal);
        Assert.Contains("refused 1 entry (sequence 1)", ship.Stderr, StringComparison.Ordinal);
        Assert.StartsWith("1\t", File.ReadAllText(Path.Combine(dir, "ship.refused")), StringComparison.Ordinal);
        Assert.Equal(2, events.GetArrayLength());
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.StartsWith("shipped 0 entries", again.Stdout, StringComparison.Ordinal);
    }

    private static string Entries(string who, int count) =>
        string.Concat(Enumerable.Range(1, count).Select(i => $"{{\"action\":\"a\",\"user_id\":\"{who}\",\"resource\":\"r{i}\",\"result\":\"success\"}}\n"));

    [Fact]
    public async Task Append_TwoProcessesOnOneDirectory_NeverAcknowledgeASequenceTwice_AndTheChainHolds()
    {
        // Before the directory lock, both exited 0 acknowledging the same sequences and verify said the chain broke.
        using var folder = new GitRepo(init: false);
        var dir = Path.Combine(folder.Root, "audit");

        var runs = await Task.WhenAll(
            Task.Run(() => Tool.RunWithInput(folder.Root, Entries("alice", 2000), "audit", "append", dir)),
            Task.Run(() => Tool.RunWithInput(folder.Root, Entries("bob", 2000), "audit", "append", dir)));
        var verify = Tool.Run(folder.Root, "audit", "verify", dir);

        var acknowledged = runs.SelectMany(r => r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)).ToList();
        Assert.Equal(acknowledged.Count, acknowledged.Distinct().Count());
        Assert.True(verify.ExitCode == 0, verify.ToString());
        Assert.StartsWith($"ok: {acknowledged.Count} entries", verify.Stdout, StringComparison.Ordinal);
        foreach (var run in runs.Where(r => r.ExitCode != 0))
        {
            Assert.Equal(2, run.ExitCode);
            Assert.Contains("is open for writing by process", run.Stderr, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Append_WhileAnotherProcessHoldsTheLog_Exits2NamingItsPid_AndWritesNothing()
    {
        using var folder = new GitRepo(init: false);
        var dir = Path.Combine(folder.Root, "audit");
        await using (var held = new HogGuard.Audit.FileAuditLog(new HogGuard.Audit.AuditLogOptions { Directory = dir }))
        {
            await held.WriteAsync(new HogGuard.Audit.AuditEntry(DateTimeOffset.UtcNow, "a", "test", "r", HogGuard.Audit.AuditOutcome.Success));

            var refused = Tool.RunWithInput(folder.Root, Entries("cli", 1), "audit", "append", dir);

            Assert.Equal(2, refused.ExitCode);
            Assert.Contains($"is open for writing by process {Environment.ProcessId}", refused.Stderr, StringComparison.Ordinal);
            Assert.Equal(string.Empty, refused.Stdout);
        }

        var after = Tool.RunWithInput(folder.Root, Entries("cli", 1), "audit", "append", dir);
        Assert.True(after.ExitCode == 0, after.ToString());
        Assert.Equal("2", after.Stdout.Trim());
    }

    [Fact]
    public async Task Ship_CursorHoldingGarbage_Exits2AndShipsNothing()
    {
        // It used to read as 0 and ship the whole log again.
        var token = Tokens.New("phc_");
        await using var emulator = await EmulatorHost.StartAsync(new { projects = new object[] { new { id = 1, name = "p", api_token = token } } });
        using var folder = new GitRepo(init: false);
        var dir = Path.Combine(folder.Root, "audit");
        Tool.RunWithInput(folder.Root, Lines + "\n", "audit", "append", dir);
        File.WriteAllText(Path.Combine(dir, "ship.cursor"), "garbage");

        var ship = Tool.Run(folder.Root, "audit", "ship", dir, "--host", emulator.Address, "--project-token", token);
        using var http = new HttpClient();
        var events = await http.GetFromJsonAsync<System.Text.Json.JsonElement>(emulator.Address + "/_emulator/events");

        Assert.Equal(2, ship.ExitCode);
        Assert.Contains("does not hold a sequence number", ship.Stderr, StringComparison.Ordinal);
        Assert.Equal(0, events.GetArrayLength());
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void Append_AfterATornLine_SetsItAsideOwnerOnly_LikeTheSegments()
    {
        using var folder = new GitRepo(init: false);
        var dir = Path.Combine(folder.Root, "audit");
        Tool.RunWithInput(folder.Root, Lines + "\n", "audit", "append", dir);
        var segment = Directory.GetFiles(dir, "audit-*.jsonl").Single();
        File.AppendAllText(segment, "{\"seq\":4,\"torn");

        var again = Tool.RunWithInput(folder.Root, Entries("u", 1), "audit", "append", dir);

        Assert.True(again.ExitCode == 0, again.ToString());
        var torn = Directory.GetFiles(dir, "*.torn-*").Single();
        Assert.Equal(File.GetUnixFileMode(segment), File.GetUnixFileMode(torn));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(torn));
    }
}
