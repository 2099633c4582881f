namespace HogGuard.Detection;

/// <summary>
/// Tells example and placeholder values from real random tokens. A real random part of 40 to 49
/// characters from a 57 or 62 letter alphabet has about 30 distinct characters, mixes cases and
/// digits and has a character entropy near 5 bits, so every test below sits many standard
/// deviations away from what a real token shows.
/// </summary>
internal static class Placeholders
{
    private static readonly byte[][] Words =
        [.. new[] { "xxxxx", "example", "placeholder", "yourkey", "yourtoken", "yourapikey", "insert", "changeme", "redacted", "dummy", "sample", "replace" }
            .Select(System.Text.Encoding.ASCII.GetBytes)];

    /// <summary>Bits per character below which a value is not random enough to be a generated secret.</summary>
    internal const double MinEntropyBits = 3.5;

    public static bool IsPlaceholder(ReadOnlySpan<byte> body)
    {
        if (body.Length == 0)
        {
            return true;
        }

        Span<int> counts = stackalloc int[128];
        int sequential = 0, run = 1, longestRun = 1;
        bool digit = false, lower = false, upper = false;
        for (var i = 0; i < body.Length; i++)
        {
            var b = body[i];
            counts[b & 127]++;
            digit |= b is >= (byte)'0' and <= (byte)'9';
            lower |= b is >= (byte)'a' and <= (byte)'z';
            upper |= b is >= (byte)'A' and <= (byte)'Z';
            if (i > 0)
            {
                var step = b - body[i - 1];
                if (step is 1 or -1)
                {
                    sequential++;
                }

                run = step == 0 ? run + 1 : 1;
                longestRun = Math.Max(longestRun, run);
            }
        }

        var classes = (digit ? 1 : 0) + (lower ? 1 : 0) + (upper ? 1 : 0);
        var distinct = 0;
        var entropy = 0.0;
        foreach (var c in counts)
        {
            if (c > 0)
            {
                distinct++;
                var p = (double)c / body.Length;
                entropy -= p * Math.Log2(p);
            }
        }

        if (longestRun >= 6 || classes < 2 || distinct < Math.Min(16, body.Length / 2) || sequential * 3 >= body.Length || entropy < MinEntropyBits)
        {
            return true;
        }

        return ContainsWord(body);
    }

    private static bool ContainsWord(ReadOnlySpan<byte> body)
    {
        Span<byte> lowered = stackalloc byte[Math.Min(body.Length, 256)];
        var n = lowered.Length;
        for (var i = 0; i < n; i++)
        {
            var b = body[i];
            lowered[i] = b is >= (byte)'A' and <= (byte)'Z' ? (byte)(b | 0x20) : b;
        }

        foreach (var word in Words)
        {
            if (lowered[..n].IndexOf(word) >= 0)
            {
                return true;
            }
        }

        return false;
    }
}
