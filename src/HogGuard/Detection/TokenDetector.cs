using System.Text;
using HogGuard.Keys;

namespace HogGuard.Detection;

/// <summary>
/// Finds PostHog tokens in raw bytes, written plainly or encoded. One vectorised search
/// (<see cref="AnchorSearch"/>) stops only at two-byte anchors: <c>ph</c>, the escapes <c>%7</c> and
/// <c>\u</c>, and the base64 forms of <c>ph</c> encoded once or twice; exact checks (kind letter,
/// underscore, boundaries, length and value range, placeholder tests) and any decoding run only
/// there. Works on any encoding that keeps ASCII as single bytes and on lines of any length, since
/// it never splits into lines. Decoding goes two levels deep at most (base64 of base64, or an
/// escape inside base64 is not followed).
/// </summary>
internal static class TokenDetector
{
    /// <summary>The longest token.</summary>
    private const int MaxToken = PostHogTokenFormat.PrefixLength + PostHogTokenFormat.MaxBodyLength;

    /// <summary>
    /// Bytes a chunked scan must carry from one window to the next so no token is cut: a token
    /// written entirely in <c>\uXXXX</c> escapes takes six bytes a character.
    /// </summary>
    public const int Overlap = (6 * MaxToken) + 16;

    /// <summary>Base64 characters a once-encoded token needs after its group start (the shortest token, at any alignment).</summary>
    private const int MinEncodedOnce = ((PostHogTokenFormat.PrefixLength + PostHogTokenFormat.MinBodyLength) * 4 / 3) + 1;

    /// <summary>Bytes decoded around a once-encoded token: the group before it, alignment, the longest token, one byte after.</summary>
    private const int OnceBytes = 3 + 2 + MaxToken + 1;

    /// <summary>Bytes decoded around a twice-encoded token: three groups before the inner group, then what the inner decoding needs.</summary>
    private const int TwiceBytes = 9 + 2 + ((OnceBytes + 2) / 3 * 4) + 4;

    /// <summary>Characters before its group a once-encoded token's decoding reads (the group before, for the boundary check).</summary>
    private const int OnceLookback = 4;

    /// <summary>Characters before its group a twice-encoded token's decoding reads (three groups, for the inner decoding's group before).</summary>
    private const int TwiceLookback = 12;

    /// <summary>Finds tokens whose first byte (or, encoded, the first character its decoding reads) lies before <paramref name="startLimit"/>.</summary>
    /// <param name="data">The buffer.</param>
    /// <param name="startLimit">Where the next window starts; tokens from there on are that window's.</param>
    /// <param name="matches">Where matches go.</param>
    /// <param name="continued">
    /// The buffer continues an earlier window (it starts at that window's limit): a token whose
    /// decoding would read before the buffer's start was that window's.
    /// </param>
    /// <remarks>
    /// An encoded token is decoded from a little before its anchor, so each match has a position it
    /// needs from (its group start less the lookback); a window keeps a match when that position is
    /// before its limit, and the next window when it is at or after its own start. Anchors a little
    /// past the limit are visited for that reason.
    /// </remarks>
    public static void Scan(ReadOnlySpan<byte> data, int startLimit, List<TokenMatch> matches, bool continued = false)
    {
        var visitor = new Visitor(matches, startLimit, continued ? 0 : int.MinValue);
        AnchorSearch.ForEach(data, Math.Min(data.Length, startLimit + TwiceLookback + 3), ref visitor);
    }

    /// <summary>Finds every token in <paramref name="data"/>.</summary>
    public static List<TokenMatch> ScanAll(ReadOnlySpan<byte> data)
    {
        var matches = new List<TokenMatch>();
        Scan(data, data.Length, matches);
        return matches;
    }

    private readonly ref struct Visitor(List<TokenMatch> matches, int startLimit, int firstNeeded) : IAnchorVisitor
    {
        public int Visit(ReadOnlySpan<byte> data, int i)
        {
            TokenMatch match;
            int needed;
            if (data[i] == 'p')
            {
                // The plain anchor, by far the most frequent: no table lookup.
                if (!TryMatchAt(data, i, truncated: false, out match) && !(HasEscapeAfterPrefix(data, i) && TryEscaped(data, i, out match)))
                {
                    return i + 1;
                }

                needed = match.Offset;
            }
            else
            {
                var anchor = AnchorSearch.At(data, i);
                var found = anchor.Family switch
                {
                    AnchorFamily.Escape => TryEscaped(data, i, out match),
                    AnchorFamily.Base64 => TryBase64(data, i, anchor, truncated: false, out match),
                    _ => TryBase64Twice(data, i, anchor, out match),
                };
                if (!found)
                {
                    return i + 1;
                }

                needed = match.Offset - anchor.Family switch
                {
                    AnchorFamily.Base64 => OnceLookback,
                    AnchorFamily.Base64Twice => TwiceLookback,
                    _ => 0,
                };
            }

            if (needed >= startLimit || needed < firstNeeded)
            {
                return i + 1;
            }

            matches.Add(match);
            return match.Offset + match.Length;
        }
    }

    /// <summary>
    /// True when the letter before <paramref name="i"/> ends an escape rather than a word: <c>\n</c>,
    /// <c>\t</c> or <c>\r</c> in a string literal, or a percent-encoded byte such as <c>%3D</c> in a URL.
    /// </summary>
    private static bool AfterEscape(ReadOnlySpan<byte> data, int i)
    {
        if (i >= 2 && data[i - 2] == '\\' && data[i - 1] is (byte)'n' or (byte)'t' or (byte)'r')
        {
            return true;
        }

        return i >= 3 && data[i - 3] == '%' && Uri.IsHexDigit((char)data[i - 2]) && Uri.IsHexDigit((char)data[i - 1]);
    }

    /// <summary>Glued to an identifier (<c>alphx_...</c>, <c>my_phx_...</c>): part of a longer word, not a token.</summary>
    private static bool GluedBefore(ReadOnlySpan<byte> data, int i) =>
        i > 0 && (PostHogTokenFormat.IsTokenByte(data[i - 1]) || data[i - 1] == '_') && !AfterEscape(data, i);

    /// <param name="truncated">The buffer was cut short: a token running to its very end may go on, so it is not taken.</param>
    private static bool TryMatchAt(ReadOnlySpan<byte> data, int i, bool truncated, out TokenMatch match)
    {
        match = default;
        if (i + PostHogTokenFormat.PrefixLength + PostHogTokenFormat.MinBodyLength > data.Length
            || data[i] != 'p'
            || data[i + 1] != 'h'
            || data[i + 3] != '_'
            || !PostHogTokenKindInfo.TryFromLetter(data[i + 2], out var kind)
            || GluedBefore(data, i))
        {
            return false;
        }

        var bodyStart = i + PostHogTokenFormat.PrefixLength;
        var end = bodyStart;
        var limit = Math.Min(data.Length, bodyStart + PostHogTokenFormat.MaxBodyLength + 1);
        while (end < limit && PostHogTokenFormat.IsTokenByte(data[end]))
        {
            end++;
        }

        // Longer than PostHog's maximum, or running on into an identifier: not a PostHog token.
        if (end < data.Length ? PostHogTokenFormat.IsTokenByte(data[end]) || data[end] == '_' : truncated)
        {
            return false;
        }

        var body = data[bodyStart..end];
        if (!PostHogTokenFormat.TryClassifyBody(kind, body, out var alphabet) || Placeholders.IsPlaceholder(body))
        {
            return false;
        }

        match = new TokenMatch(i, end - i, kind, alphabet);
        return true;
    }

    /// <summary>A <c>ph</c> followed within the prefix or the body's first byte by <c>%</c> or <c>\</c>: <c>phx%5F...</c>.</summary>
    private static bool HasEscapeAfterPrefix(ReadOnlySpan<byte> data, int i) =>
        i + PostHogTokenFormat.PrefixLength < data.Length
        && (IsEscapeStart(data[i + 2]) || IsEscapeStart(data[i + 3]) || IsEscapeStart(data[i + 4]));

    private static bool IsEscapeStart(byte b) => b is (byte)'%' or (byte)'\\';

    /// <summary>
    /// A token with some of its characters written as <c>%XX</c> (URL encoding) or <c>\uXXXX</c>
    /// (JSON and JavaScript string escapes), starting at <paramref name="i"/>.
    /// </summary>
    private static bool TryEscaped(ReadOnlySpan<byte> data, int i, out TokenMatch match)
    {
        match = default;
        if (GluedBefore(data, i))
        {
            return false;
        }

        Span<byte> decoded = stackalloc byte[MaxToken + 2];
        Span<int> ends = stackalloc int[MaxToken + 2];
        string? encoding = null;
        int n = 0, j = i;
        while (j < data.Length && n < decoded.Length)
        {
            int value, width;
            if (data[j] == '%' && j + 2 < data.Length && TryHex(data.Slice(j + 1, 2), out value))
            {
                (width, encoding) = (3, encoding ?? "percent");
            }
            else if (data[j] == '\\' && j + 5 < data.Length && data[j + 1] == 'u' && TryHex(data.Slice(j + 2, 4), out value))
            {
                (width, encoding) = (6, encoding ?? "unicode-escape");
            }
            else
            {
                (value, width) = (data[j], 1);
            }

            if (value >= 0x80 || !(PostHogTokenFormat.IsTokenByte((byte)value) || value == '_'))
            {
                break;
            }

            decoded[n] = (byte)value;
            j += width;
            ends[n++] = j;
        }

        // Escapes are needed somewhere in it (a plain token is the plain search's), and it must end before the text does.
        if (encoding is null || !TryMatchAt(decoded[..n], 0, truncated: n == decoded.Length, out var inner))
        {
            return false;
        }

        match = inner with { Offset = i, Length = ends[inner.Length - 1] - i, Value = Encoding.ASCII.GetString(decoded[..inner.Length]), Encoding = encoding };
        return true;
    }

    /// <summary>
    /// A token encoded once in base64: the anchor's alignment says where the 4-character group that
    /// holds the token's first byte starts; the group before it (when there is one) is decoded too,
    /// so the byte before the token can be checked like a plain token's.
    /// </summary>
    /// <param name="truncated">The buffer is a decoded fragment that may be cut short at its end.</param>
    private static bool TryBase64(ReadOnlySpan<byte> data, int i, AnchorSearch.Anchor anchor, bool truncated, out TokenMatch match)
    {
        match = default;
        var group = i - anchor.GroupOffset;
        if (group < 0 || !AllBase64(data[group..Math.Min(data.Length, i + 2)]) || Base64Forms.RunLength(data, group, MinEncodedOnce) < MinEncodedOnce)
        {
            return false;
        }

        var start = group >= 4 && AllBase64(data[(group - 4)..group]) ? group - 4 : group;
        Span<byte> decoded = stackalloc byte[OnceBytes];
        Span<int> ends = stackalloc int[OnceBytes];
        var n = Base64Forms.Decode(data, start, int.MaxValue, decoded, ends, out var urlSafe, out var stopped);
        var at = ((group - start) / 4 * 3) + anchor.Alignment;
        if (at >= n || !TryMatchAt(decoded[..n], at, truncated: stopped || truncated, out var inner))
        {
            return false;
        }

        match = inner with
        {
            Offset = group,
            Length = ends[at + inner.Length - 1] - group,
            Value = Encoding.ASCII.GetString(decoded.Slice(at, inner.Length)),
            Encoding = urlSafe ? "base64url" : "base64",
        };
        return true;
    }

    /// <summary>
    /// A token encoded twice (base64 of text that holds a base64-encoded token, such as a
    /// Kubernetes secret holding a docker config): decodes the outer text around the anchor, then
    /// looks for the inner anchor exactly where the outer one says it is.
    /// </summary>
    private static bool TryBase64Twice(ReadOnlySpan<byte> data, int i, AnchorSearch.Anchor anchor, out TokenMatch match)
    {
        match = default;
        var group = i - anchor.GroupOffset;
        if (group < 0 || !AllBase64(data[group..i]) || Base64Forms.RunLength(data, group, MinEncodedOnce * 4 / 3) < MinEncodedOnce * 4 / 3)
        {
            return false;
        }

        // Up to three groups before, so the inner decoding can see the group before its token.
        var start = group;
        while (start >= 4 && group - start < 12 && AllBase64(data[(start - 4)..start]))
        {
            start -= 4;
        }

        Span<byte> decoded = stackalloc byte[TwiceBytes];
        Span<int> ends = stackalloc int[TwiceBytes];
        var n = Base64Forms.Decode(data, start, int.MaxValue, decoded, ends, out var urlSafe, out var stopped);
        var at = ((group - start) / 4 * 3) + anchor.Alignment;
        if (at + 1 >= n
            || AnchorSearch.OnceForm(decoded[at], decoded[at + 1]) is not { } inner
            || !TryBase64(decoded[..n], at, inner, truncated: stopped, out var once))
        {
            return false;
        }

        match = once with
        {
            Offset = group,
            Length = ends[once.Offset + once.Length - 1] - group,
            Encoding = (urlSafe ? "base64url+" : "base64+") + once.Encoding,
        };
        return true;
    }

    private static bool AllBase64(ReadOnlySpan<byte> text)
    {
        foreach (var b in text)
        {
            if (!Base64Forms.IsBase64(b))
            {
                return false;
            }
        }

        return true;
    }

    private static bool TryHex(ReadOnlySpan<byte> digits, out int value)
    {
        value = 0;
        foreach (var d in digits)
        {
            var v = HexValue(d);
            if (v < 0)
            {
                return false;
            }

            value = (value << 4) | v;
        }

        return true;
    }

    private static int HexValue(byte d) => d switch
    {
        >= (byte)'0' and <= (byte)'9' => d - '0',
        >= (byte)'a' and <= (byte)'f' => d - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => d - 'A' + 10,
        _ => -1,
    };
}
