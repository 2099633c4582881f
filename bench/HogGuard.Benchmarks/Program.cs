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

BenchmarkSwitcher.FromAssembly(typeof(DetectorBenchmarks).Assembly).Run(args);
