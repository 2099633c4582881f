using BenchmarkDotNet.Running;
using HogGuard.Benchmarks;

if (args is ["audit-throughput", ..])
{
    // audit-throughput [ENTRIES] [--flush-only]: --flush-only measures HogGuard without fsync (its CPU cost alone).
    await AuditThroughput.RunAsync(
        args.Length > 1 && args[1] != "--flush-only" ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 4000,
        flushOnly: args.Contains("--flush-only"));
    return;
}

if (args is ["detector-quick", ..])
{
    // detector-quick [INPUT...]: best of 40 runs of each detector benchmark, for a fast look while tuning (the figures to report come from BenchmarkDotNet).
    foreach (var input in args.Length > 1 ? args[1..] : ["headers", "minified", "dense"])
    {
        var bench = new DetectorBenchmarks { Input = input };
        bench.Setup();
        foreach (var (name, run) in new (string, Func<int>)[] { ("ScanBuffer", bench.ScanBuffer), ("TokenDetectorOnly", bench.TokenDetectorOnly) })
        {
            var best = double.MaxValue;
            for (var i = 0; i < 60; i++)
            {
                var watch = System.Diagnostics.Stopwatch.StartNew();
                run();
                best = i < 20 ? best : Math.Min(best, watch.Elapsed.TotalMicroseconds);
            }

            Console.WriteLine($"{input,-9} {name,-18} {best,8:F0} us");
        }
    }

    return;
}

BenchmarkSwitcher.FromAssembly(typeof(DetectorBenchmarks).Assembly).Run(args);
