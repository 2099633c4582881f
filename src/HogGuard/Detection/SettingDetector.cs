namespace HogGuard.Detection;

/// <summary>
/// Finds <c>POSTHOG_..._KEY|SECRET|TOKEN</c> settings assigned a high-entropy literal in <c>.env</c>,
/// JSON, YAML and shell files: the way a secret with no PostHog prefix (very old personal keys, or
/// a value pasted without one) still leaks under a telling name.
/// </summary>
internal static class SettingDetector
{
    private const int MinValueLength = 16;
    private const int MaxValueLength = 200;

    private static readonly string[] Extensions = [".env", ".json", ".yml", ".yaml", ".sh", ".bash", ".zsh", ".envrc", ".ini", ".toml", ".properties"];

    /// <summary>True for the files whose syntax this detector reads: <c>.env*</c>, JSON, YAML, shell and similar.</summary>
    public static bool AppliesTo(string path)
    {
        var name = Path.GetFileName(path.AsSpan());
        if (name.StartsWith(".env", StringComparison.OrdinalIgnoreCase) || path == "<stdin>")
        {
            return true;
        }

        foreach (var ext in Extensions)
        {
            if (name.EndsWith(ext, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    public static void Scan(ReadOnlySpan<byte> data, int startLimit, List<SettingMatch> matches)
    {
        var at = 0;
        while (at < startLimit)
        {
            var hit = IndexOfPosthog(data[at..]);
            if (hit < 0)
            {
                return;
            }

            var i = at + hit;
            if (i >= startLimit)
            {
                return;
            }

            at = i + 8;
            if (TryMatchAt(data, i, out var match))
            {
                matches.Add(match);
                at = match.ValueOffset + match.ValueLength;
            }
        }
    }

    private static int IndexOfPosthog(ReadOnlySpan<byte> data)
    {
        var upper = data.IndexOf("POSTHOG_"u8);
        var lower = data.IndexOf("posthog_"u8);
        return upper < 0 ? lower : lower < 0 ? upper : Math.Min(upper, lower);
    }

    private static bool IsNameByte(byte b) => (uint)(b - '0') <= 9 || (uint)((b | 0x20) - 'a') <= 'z' - 'a' || b == '_';

    private static bool TryMatchAt(ReadOnlySpan<byte> data, int i, out SettingMatch match)
    {
        match = default;
        if (i > 0 && IsNameByte(data[i - 1]))
        {
            return false;
        }

        var p = i;
        while (p < data.Length && IsNameByte(data[p]))
        {
            p++;
        }

        if (!NameSaysSecret(data[i..p]))
        {
            return false;
        }

        // Optional closing quote of a JSON or YAML key, then "=" or ":".
        if (p < data.Length && data[p] is (byte)'"' or (byte)'\'')
        {
            p++;
        }

        p = SkipBlanks(data, p);
        if (p >= data.Length || data[p] is not ((byte)'=' or (byte)':'))
        {
            return false;
        }

        p = SkipBlanks(data, p + 1);
        byte quote = 0;
        if (p < data.Length && data[p] is (byte)'"' or (byte)'\'')
        {
            quote = data[p];
            p++;
        }

        var start = p;
        while (p < data.Length && p - start <= MaxValueLength && IsValueByte(data[p], quote))
        {
            p++;
        }

        var value = data[start..p];
        if (value.Length < MinValueLength || value.Length > MaxValueLength || !IsLiteral(value))
        {
            return false;
        }

        match = new SettingMatch(i, start, value.Length);
        return true;
    }

    private static bool NameSaysSecret(ReadOnlySpan<byte> name)
    {
        Span<byte> upper = stackalloc byte[Math.Min(name.Length, 128)];
        for (var k = 0; k < upper.Length; k++)
        {
            upper[k] = name[k] is >= (byte)'a' and <= (byte)'z' ? (byte)(name[k] & 0xDF) : name[k];
        }

        return upper.IndexOf("KEY"u8) >= 0 || upper.IndexOf("SECRET"u8) >= 0 || upper.IndexOf("TOKEN"u8) >= 0;
    }

    private static int SkipBlanks(ReadOnlySpan<byte> data, int p)
    {
        while (p < data.Length && data[p] is (byte)' ' or (byte)'\t')
        {
            p++;
        }

        return p;
    }

    private static bool IsValueByte(byte b, byte quote) =>
        quote != 0 ? b != quote && b is not ((byte)'\n' or (byte)'\r') : b > ' ' && b is not ((byte)'#' or (byte)',' or (byte)';' or (byte)'}' or (byte)'"' or (byte)'\'');

    private static bool IsLiteral(ReadOnlySpan<byte> value)
    {
        // References, not values: $VAR, ${VAR}, {{ template }}, <placeholder>, %VAR%.
        if (value[0] is (byte)'$' or (byte)'{' or (byte)'<' or (byte)'%' || value.IndexOf("${"u8) >= 0 || value.IndexOf("{{"u8) >= 0)
        {
            return false;
        }

        // A PostHog token is reported by the token rule (or deliberately not, if it is a placeholder).
        if (value.Length > 4 && value[0] == 'p' && value[1] == 'h' && value[3] == '_')
        {
            return false;
        }

        // Paths, URLs, sentences and host names are not keys.
        if (value[0] is (byte)'/' or (byte)'.' || value.IndexOf((byte)' ') >= 0 || value.IndexOf("://"u8) >= 0)
        {
            return false;
        }

        return !Placeholders.IsPlaceholder(value);
    }
}
