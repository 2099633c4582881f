namespace HogGuard.Detection;

/// <summary>Base64 as the detector needs it: the fixed encoded forms of a byte string, and a small tolerant decoder.</summary>
internal static class Base64Forms
{
    private const string Standard = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

    /// <summary>Each byte's 6-bit value in either alphabet (standard <c>+/</c> or URL-safe <c>-_</c>), -1 for anything else.</summary>
    private static readonly sbyte[] Values = BuildValues();

    /// <summary>True for a character of either base64 alphabet (padding excluded).</summary>
    public static bool IsBase64(byte b) => Values[b] >= 0;

    /// <summary>
    /// The characters of the base64 form of <paramref name="text"/> that do not depend on the bytes
    /// around it, for each of the three byte alignments: the longest such run, where it starts
    /// relative to the start of its 4-character group, and the alignment.
    /// </summary>
    public static IEnumerable<(string Text, int Offset, int Alignment)> FixedRuns(ReadOnlySpan<byte> text)
    {
        var runs = new List<(string, int, int)>();
        for (var alignment = 0; alignment < 3; alignment++)
        {
            // Encode with every unknown byte 0x00, then 0xFF: a character equal in both is fixed.
            var low = Encode(alignment, text, 0x00);
            var high = Encode(alignment, text, 0xFF);
            int bestStart = 0, bestLength = 0;
            for (var i = 0; i < low.Length;)
            {
                var j = i;
                while (j < low.Length && low[j] == high[j])
                {
                    j++;
                }

                if (j - i > bestLength)
                {
                    (bestStart, bestLength) = (i, j - i);
                }

                i = j + 1;
            }

            runs.Add((low.Substring(bestStart, bestLength), bestStart, alignment));
        }

        return runs;
    }

    /// <summary>
    /// Decodes from <paramref name="start"/> (the first character of a group) until a character
    /// outside both alphabets, padding, or <paramref name="maxChars"/> characters; line breaks are
    /// skipped, as in wrapped base64. Returns the bytes written; <paramref name="stoppedAtLimit"/>
    /// says the text went on; <paramref name="charEnds"/> holds, for each decoded byte, the offset
    /// just past the character that completed it.
    /// </summary>
    public static int Decode(ReadOnlySpan<byte> data, int start, int maxChars, Span<byte> output, Span<int> charEnds, out bool urlSafe, out bool stoppedAtLimit)
    {
        urlSafe = false;
        stoppedAtLimit = false;
        int written = 0, bits = 0, pending = 0, chars = 0;
        for (var i = start; i < data.Length; i++)
        {
            var b = data[i];
            if (b is (byte)'\n' or (byte)'\r')
            {
                continue;
            }

            var value = Values[b];
            if (value < 0)
            {
                break;
            }

            if (chars == maxChars || written == output.Length)
            {
                stoppedAtLimit = true;
                break;
            }

            urlSafe |= b is (byte)'-' or (byte)'_';
            chars++;
            bits = (bits << 6) | (byte)value;
            pending += 6;
            if (pending >= 8)
            {
                pending -= 8;
                charEnds[written] = i + 1;
                output[written++] = (byte)(bits >> pending);
                bits &= (1 << pending) - 1;
            }
        }

        return written;
    }

    /// <summary>Counts base64 characters from <paramref name="from"/> (line breaks skipped), stopping at <paramref name="enough"/>.</summary>
    public static int RunLength(ReadOnlySpan<byte> data, int from, int enough)
    {
        var count = 0;
        for (var i = from; i < data.Length && count < enough; i++)
        {
            if (data[i] is (byte)'\n' or (byte)'\r')
            {
                continue;
            }

            if (Values[data[i]] < 0)
            {
                break;
            }

            count++;
        }

        return count;
    }

    private static string Encode(int alignment, ReadOnlySpan<byte> text, byte filler)
    {
        var bytes = new byte[(alignment + text.Length + 2) / 3 * 3];
        Array.Fill(bytes, filler);
        text.CopyTo(bytes.AsSpan(alignment));
        return Convert.ToBase64String(bytes);
    }

    private static sbyte[] BuildValues()
    {
        var values = new sbyte[256];
        Array.Fill(values, (sbyte)-1);
        for (var i = 0; i < Standard.Length; i++)
        {
            values[Standard[i]] = (sbyte)i;
        }

        values['-'] = 62;
        values['_'] = 63;
        return values;
    }
}
