using BenchmarkDotNet.Running;
using HogGuard.Benchmarks;

if (args is ["audit-throughput", ..])
{
    await AuditThroughput.RunAsync(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 4000);
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(DetectorBenchmarks).Assembly).Run(args);
