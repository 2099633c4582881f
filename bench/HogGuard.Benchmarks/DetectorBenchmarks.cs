using System.Numerics;
using System.Text;
using BenchmarkDotNet.Attributes;
using HogGuard.Detection;

namespace HogGuard.Benchmarks;

/// <summary>
/// The detector on realistic buffers: C headers (many "ph" anchors from words like "graph" and
/// "alpha"), one minified line, and a buffer dense with tokens. Throughput in MB/s is
/// <c>BufferMB / Mean</c>; MemoryDiagnoser shows bytes allocated per scan.
/// </summary>
[MemoryDiagnoser]
public class DetectorBenchmarks
{
    private byte[] _buffer = [];
    private FindingSet _sink = new();

    [Params("headers", "minified", "dense")]
    public string Input { get; set; } = "headers";

    public double BufferMB => _buffer.Length / 1e6;

    [GlobalSetup]
    public void Setup()
    {
        _buffer = Input switch
        {
            "headers" => Headers(8 << 20),
            "minified" => Minified(8 << 20),
            _ => Dense(8 << 20),
        };
        Console.WriteLine($"// {Input}: {BufferMB:F1} MB");
    }

    [Benchmark]
    public int ScanBuffer()
    {
        _sink = new FindingSet();
        using var stream = new MemoryStream(_buffer, writable: false);
        new ContentScanner(_sink).Scan(stream, _buffer.Length, "bench.txt");
        return _sink.Hits.Count;
    }

    [Benchmark]
    public int TokenDetectorOnly()
    {
        var matches = new List<TokenMatch>();
        TokenDetector.Scan(_buffer, _buffer.Length, matches);
        return matches.Count;
    }

    private static byte[] Headers(int size)
    {
        var output = new MemoryStream();
        foreach (var file in Directory.EnumerateFiles("/usr/include", "*.h", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var bytes = File.ReadAllBytes(file);
            output.Write(bytes, 0, Math.Min(bytes.Length, size - (int)output.Length));
            if (output.Length >= size)
            {
                break;
            }
        }

        var buffer = output.ToArray();
        Plant(buffer, 16);
        return buffer;
    }

    private static byte[] Minified(int size)
    {
        var random = new Random(1);
        var words = new[] { "function", "graph", "alpha", "phase", "php", "return", "var", "=>", "{", "}", ";", "phone" };
        var text = new StringBuilder(size);
        while (text.Length < size)
        {
            text.Append(words[random.Next(words.Length)]).Append(random.Next(1000));
        }

        var buffer = Encoding.ASCII.GetBytes(text.ToString(0, size));
        Plant(buffer, 16);
        return buffer;
    }

    private static byte[] Dense(int size)
    {
        var buffer = Encoding.ASCII.GetBytes(new string(' ', size));
        Plant(buffer, size / 4096);
        return buffer;
    }

    /// <summary>Writes PostHog-shaped tokens (generated here, never stored) at even spacing.</summary>
    private static void Plant(byte[] buffer, int count)
    {
        const string base57 = "23456789abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ";
        var random = new Random(7);
        for (var i = 0; i < count; i++)
        {
            var bytes = new byte[35];
            random.NextBytes(bytes);
            var value = new BigInteger(bytes, isUnsigned: true) | (BigInteger.One << 279);
            var token = new StringBuilder();
            while (!value.IsZero)
            {
                value = BigInteger.DivRem(value, 57, out var digit);
                token.Insert(0, base57[(int)digit]);
            }

            var text = Encoding.ASCII.GetBytes($" \"phx_{token}\" ");
            text.CopyTo(buffer, (int)((long)buffer.Length * i / count));
        }
    }
}
