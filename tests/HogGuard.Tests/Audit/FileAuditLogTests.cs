using System.Text;
using HogGuard.Audit;
using HogGuard.Testing;

namespace HogGuard.Tests.Audit;

public sealed class FileAuditLogTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("hogguard-audit-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static AuditEntry Entry(int i, DateTimeOffset? at = null) =>
        new(at ?? new DateTimeOffset(2026, 11, 27, 10, 0, 0, TimeSpan.Zero).AddSeconds(i), "key.revoked", "user-1", $"key/{i}", AuditOutcome.Success)
        {
            Metadata = new Dictionary<string, string?> { ["n"] = i.ToString(System.Globalization.CultureInfo.InvariantCulture) },
        };

    private async Task WriteAsync(int count, AuditLogOptions? options = null, int start = 1)
    {
        await using var log = new FileAuditLog(options ?? new AuditLogOptions { Directory = _dir });
        await Task.WhenAll(Enumerable.Range(start, count).Select(i => log.WriteAsync(Entry(i))));
    }

    [Fact]
    public async Task Write_ConcurrentWriters_GetDistinctSequencesAndTheChainVerifies()
    {
        await using (var log = new FileAuditLog(new AuditLogOptions { Directory = _dir }))
        {
            var stored = await Task.WhenAll(Enumerable.Range(1, 500).Select(i => log.WriteAsync(Entry(i))));
            Assert.Equal(Enumerable.Range(1, 500).Select(i => (long)i), stored.Select(s => s.Sequence).Order());
            Assert.Equal(500, stored.Select(s => s.Uuid).Distinct().Count());
        }

        var verification = AuditVerifier.Verify(_dir);
        Assert.True(verification.IsIntact, verification.Detail);
        Assert.Equal(500, verification.Entries);
    }

    [Fact]
    public async Task Write_ALoneWriterAfterABurst_IsServedAndEveryLoopKeepsItsOrder()
    {
        // After a batch of 64 the writer waits (bounded) for 64 again; a lone writer must still be
        // served, and sequential awaits from one caller must get increasing sequence numbers.
        await using (var log = new FileAuditLog(new AuditLogOptions { Directory = _dir }))
        {
            var loops = await Task.WhenAll(Enumerable.Range(0, 64).Select(async loop =>
            {
                var sequences = new List<long>();
                for (var i = 0; i < 20; i++)
                {
                    sequences.Add((await log.WriteAsync(Entry((loop * 20) + i))).Sequence);
                }

                return sequences;
            }));
            Assert.All(loops, sequences => Assert.Equal(sequences.Order(), sequences));

            var alone = new List<long>();
            for (var i = 0; i < 5; i++)
            {
                alone.Add((await log.WriteAsync(Entry(2000 + i))).Sequence);
            }

            Assert.Equal(Enumerable.Range(64 * 20 + 1, 5).Select(i => (long)i), alone);
        }

        var verification = AuditVerifier.Verify(_dir);
        Assert.True(verification.IsIntact, verification.Detail);
        Assert.Equal(64 * 20 + 5, verification.Entries);
    }

    [Fact]
    public async Task Reopen_ContinuesTheChain_AcrossSegmentsAndDays()
    {
        var key = Encoding.UTF8.GetBytes("checkpoint key");
        var options = new AuditLogOptions { Directory = _dir, MaxSegmentBytes = 2000, CheckpointKey = key };
        await WriteAsync(30, options);
        await using (var log = new FileAuditLog(options))
        {
            await log.WriteAsync(Entry(31, new DateTimeOffset(2026, 11, 28, 0, 0, 1, TimeSpan.Zero)));
        }

        var verification = AuditVerifier.Verify(_dir, key);
        Assert.True(verification.IsIntact, verification.Detail);
        Assert.Equal(31, verification.Entries);
        Assert.True(verification.Segments > 3);
    }

    [Fact]
    public async Task Metadata_PostHogSecretsAndConfiguredKeys_AreRedactedBeforeWriting()
    {
        var token = TestTokens.Make("phx_", base57: true, new Random(8));
        await using (var log = new FileAuditLog(new AuditLogOptions { Directory = _dir, RedactKeys = ["password"] }))
        {
            await log.WriteAsync(Entry(1) with
            {
                Metadata = new Dictionary<string, string?> { ["key"] = token, ["note"] = $"rolled {token} today", ["password"] = "hunter2" },
            });
        }

        var text = string.Join('\n', AuditReader.Tail(_dir, 10));
        Assert.DoesNotContain(token, text, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", text, StringComparison.Ordinal);
        Assert.Contains(TestTokens.Sha256Prefix(token), text, StringComparison.Ordinal);
        Assert.Contains("[redacted]", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reopen_AfterATornWrite_SetsItAsideAndContinues()
    {
        await WriteAsync(5);
        var segment = Directory.GetFiles(_dir, "audit-*.jsonl").Single();
        await File.AppendAllTextAsync(segment, "{\"seq\":6,\"uuid\":\"torn");

        await using (var log = new FileAuditLog(new AuditLogOptions { Directory = _dir }))
        {
            Assert.NotNull(log.SetAside);
            Assert.Equal("{\"seq\":6,\"uuid\":\"torn", await File.ReadAllTextAsync(log.SetAside));
            Assert.Equal(6, (await log.WriteAsync(Entry(6))).Sequence);
        }

        var verification = AuditVerifier.Verify(_dir);
        Assert.True(verification.IsIntact, verification.Detail);
        Assert.Single(verification.TornFiles);
    }

    [Fact]
    public async Task Write_ToAReadOnlyDirectory_FailsLoudly()
    {
        if (OperatingSystem.IsWindows() || Environment.UserName == "root")
        {
            // Root ignores permission bits, so a read-only directory cannot be simulated this way; the
            // disk-full path below is what guards the same code.
            await using var full = new FileAuditLog(new AuditLogOptions { Directory = _dir, MaxSegmentBytes = 10 });
            await full.WriteAsync(Entry(1));

            // The open log may write its head record while the folder is being removed: retry until it is gone.
            for (var attempt = 0; Directory.Exists(_dir); attempt++)
            {
                try
                {
                    Directory.Delete(_dir, recursive: true);
                }
                catch (IOException) when (attempt < 50)
                {
                    await Task.Delay(20);
                }
            }

            await Assert.ThrowsAsync<IOException>(() => full.WriteAsync(Entry(2)));
            Directory.CreateDirectory(_dir);
            return;
        }

        File.SetUnixFileMode(_dir, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        try
        {
            Assert.ThrowsAny<Exception>(() => new FileAuditLog(new AuditLogOptions { Directory = _dir }));
        }
        finally
        {
            File.SetUnixFileMode(_dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }
}
