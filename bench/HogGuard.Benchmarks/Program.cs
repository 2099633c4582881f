using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(HogGuard.Benchmarks.DetectorBenchmarks).Assembly).Run(args);
