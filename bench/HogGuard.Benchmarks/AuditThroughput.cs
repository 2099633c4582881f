using System.Diagnostics;
using System.Globalization;
using HogGuard.Audit;

namespace HogGuard.Benchmarks;

/// <summary>
/// Durable audit writes per second and p99 latency with 1, 8 and 64 concurrent writers: HogGuard's
/// group-committed log against a naive durable log (write, then fsync, per entry, under a lock),
/// in the same run on the same disk. <c>dotnet run -c Release -- audit-throughput [entries]</c>.
/// </summary>
public static class AuditThroughput
{
    public static async Task RunAsync(int entries, bool flushOnly = false)
    {
        var durability = flushOnly ? AuditDurability.FlushOnly : AuditDurability.Fsync;
        Console.WriteLine("| writers | naive entries/s | naive p99 ms | HogGuard entries/s | HogGuard p99 ms | ratio |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|");
        foreach (var writers in new[] { 1, 8, 64 })
        {
            var naive = await MeasureAsync(writers, entries, NaiveWriter);
            var grouped = await MeasureAsync(writers, entries, dir => GroupCommitted(dir, durability));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {writers} | {naive.Rate:F0} | {naive.P99:F2} | {grouped.Rate:F0} | {grouped.P99:F2} | {grouped.Rate / naive.Rate:F1} |"));
        }
    }

    private static AuditEntry Entry(int i) => new(DateTimeOffset.UtcNow, "bench.write", "user", $"r{i}", AuditOutcome.Success);

    private static async Task<(double Rate, double P99)> MeasureAsync(int writers, int entries, Func<string, Func<int, Task>> factory)
    {
        var dir = Directory.CreateTempSubdirectory("hogguard-bench-").FullName;
        try
        {
            var write = factory(dir);
            var latencies = new double[entries];
            var next = -1;
            var total = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, writers).Select(_ => Task.Run(async () =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < entries)
                {
                    var watch = Stopwatch.StartNew();
                    await write(i);
                    latencies[i] = watch.Elapsed.TotalMilliseconds;
                }
            })));
            total.Stop();
            Array.Sort(latencies);
            return (entries / total.Elapsed.TotalSeconds, latencies[(int)(entries * 0.99) - 1]);
        }
        finally
        {
            if (Registry.TryGetValue(dir, out var disposable))
            {
                await disposable.DisposeAsync();
            }

            Directory.Delete(dir, recursive: true);
        }
    }

    private static readonly Dictionary<string, IAsyncDisposable> Registry = [];

    private static Func<int, Task> GroupCommitted(string dir, AuditDurability durability)
    {
        var log = new FileAuditLog(new AuditLogOptions { Directory = dir, Durability = durability });
        Registry[dir] = log;
        return i => log.WriteAsync(Entry(i));
    }

    private static Func<int, Task> NaiveWriter(string dir)
    {
        var file = new FileStream(Path.Combine(dir, "naive.jsonl"), FileMode.Append, FileAccess.Write, FileShare.Read);
        Registry[dir] = file;
        var gate = new object();
        return i =>
        {
            var line = System.Text.Encoding.UTF8.GetBytes($"{{\"seq\":{i},\"action\":\"bench.write\",\"user_id\":\"user\",\"resource\":\"r{i}\"}}\n");
            lock (gate)
            {
                file.Write(line);
                file.Flush(flushToDisk: true);
            }

            return Task.CompletedTask;
        };
    }
}
