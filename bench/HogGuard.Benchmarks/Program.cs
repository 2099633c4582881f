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

if (args is ["pack-read", var repository, ..])
{
    // pack-read REPO [THREADS] [CACHE_MB] [--verify]: every blob of the repository's packs read in pack order by
    // the managed pack reader, split into contiguous runs over THREADS threads (a look at the reader's
    // speed against git cat-file; not a scan).
    var threads = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : Environment.ProcessorCount;
    var cacheMb = args.Length > 3 ? int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture) : 64;
    var gitDirectory = Directory.Exists(Path.Combine(repository, ".git")) ? Path.Combine(repository, ".git") : repository;
    var watch = System.Diagnostics.Stopwatch.StartNew();
    using var store = HogGuard.Sources.Packs.PackRepository.Open(gitDirectory, new HogGuard.Sources.Packs.DeltaBaseCache(cacheMb << 20))
        ?? throw new InvalidOperationException("the pack reader does not read this repository");
    var blobs = store.ObjectsInPackOrder().Where(o => o.Type == HogGuard.Sources.Packs.PackObjectType.Blob).ToList();
    if (args.Contains("--order-from-stdin"))
    {
        // The order another listing gives (one id per line), to see what pack order is worth.
        var byId = blobs.ToDictionary(b => Convert.ToHexStringLower(b.Id));
        blobs = [.. Console.In.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ')[0]).Where(byId.ContainsKey).Select(id => byId[id])];
    }

    var listed = watch.Elapsed;
    long bytes = 0;
    long wrong = 0;
    var verify = args.Contains("--verify");
    var chunk = (blobs.Count + threads - 1) / threads;
    Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
    {
        long local = 0;
        foreach (var blob in blobs.Skip(t * chunk).Take(chunk))
        {
            using var rented = blob.Pack.ReadRented(blob.Offset);
            var content = rented.Span;
            local += content.Length;
            if (verify)
            {
                // A blob's name is the SHA-1 of "blob SIZE\0" and its content: the reader checks itself.
                var header = System.Text.Encoding.ASCII.GetBytes($"blob {content.Length}\0");
                if (!System.Security.Cryptography.SHA1.HashData([.. header, .. content.ToArray()]).AsSpan().SequenceEqual(blob.Id))
                {
                    Interlocked.Increment(ref wrong);
                }
            }
        }

        Interlocked.Add(ref bytes, local);
    });
    Console.WriteLine($"{blobs.Count} blobs, {bytes / 1e6:F0} MB in {watch.Elapsed.TotalSeconds:F2} s ({listed.TotalSeconds:F2} s listing), {threads} thread(s), {cacheMb} MB cache{(verify ? $", {wrong} not matching their name" : string.Empty)}");
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
