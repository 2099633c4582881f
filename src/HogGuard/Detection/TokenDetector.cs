using HogGuard.Keys;

namespace HogGuard.Detection;

/// <summary>
/// Finds PostHog tokens in raw bytes. A vectorised search for the two-byte anchor <c>ph</c> skips
/// everything else; exact checks (kind letter, underscore, boundaries, length and value range,
/// placeholder tests) run only at anchors. Works on any encoding that keeps ASCII as single bytes
/// and on lines of any length, since it never splits into lines.
/// </summary>
internal static class TokenDetector
{
    /// <summary>Bytes a chunked scan must carry from one window to the next so no token is cut.</summary>
    public const int Overlap = PostHogTokenFormat.PrefixLength + PostHogTokenFormat.MaxBodyLength + 2;

    /// <summary>Finds tokens whose first byte lies before <paramref name="startLimit"/>.</summary>
    public static void Scan(ReadOnlySpan<byte> data, int startLimit, List<TokenMatch> matches)
    {
        var at = 0;
        while (at < startLimit)
        {
            var hit = data[at..].IndexOf("ph"u8);
            if (hit < 0)
            {
                return;
            }

            var i = at + hit;
            if (i >= startLimit)
            {
                return;
            }

            at = i + 2;
            if (TryMatchAt(data, i, out var match))
            {
                matches.Add(match);
                at = i + match.Length;
            }
        }
    }

    /// <summary>Finds every token in <paramref name="data"/>.</summary>
    public static List<TokenMatch> ScanAll(ReadOnlySpan<byte> data)
    {
        var matches = new List<TokenMatch>();
        Scan(data, data.Length, matches);
        return matches;
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

    private static bool TryMatchAt(ReadOnlySpan<byte> data, int i, out TokenMatch match)
    {
        match = default;
        if (i + PostHogTokenFormat.PrefixLength + PostHogTokenFormat.MinBodyLength > data.Length
            || data[i + 3] != '_'
            || !PostHogTokenKindInfo.TryFromLetter(data[i + 2], out var kind))
        {
            return false;
        }

        // Glued to an identifier (alphx_..., my_phx_...): part of a longer word, not a token.
        if (i > 0 && (PostHogTokenFormat.IsTokenByte(data[i - 1]) || data[i - 1] == '_') && !AfterEscape(data, i))
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
        if (end < data.Length && (PostHogTokenFormat.IsTokenByte(data[end]) || data[end] == '_'))
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
}
