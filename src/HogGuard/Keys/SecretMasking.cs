using System.Security.Cryptography;
using System.Text;

namespace HogGuard.Keys;

/// <summary>How HogGuard shows a secret: PostHog's own mask and a short SHA-256 fingerprint.</summary>
public static class SecretMasking
{
    /// <summary>Hex digits of SHA-256 kept in a fingerprint.</summary>
    public const int FingerprintLength = 12;

    /// <summary>PostHog's mask: first four and last four characters (<c>phx_...abcd</c>); under 16 characters, <c>********</c>.</summary>
    /// <remarks>
    /// PostHog's tokens (47 characters and more) show their first and last four characters; a value
    /// under 32 characters (a short literal in a setting) shows at most its first four, and one under
    /// 16 none, so a mask never gives away a large share of a short secret.
    /// </remarks>
    public static string Mask(ReadOnlySpan<char> value) =>
        value.Length < 16 ? "********" : value.Length < 32 ? string.Concat(value[..4], "...") : string.Concat(value[..4], "...", value[^4..]);

    /// <summary>PostHog's mask of a token held as UTF-8 bytes.</summary>
    public static string Mask(ReadOnlySpan<byte> utf8)
    {
        return Mask(Encoding.UTF8.GetString(utf8));
    }

    /// <summary>The first 12 hex digits of the SHA-256 of the token's UTF-8 bytes (PostHog stores the whole hash).</summary>
    public static string Fingerprint(ReadOnlySpan<byte> utf8)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(utf8, hash);
        return Convert.ToHexStringLower(hash[..(FingerprintLength / 2)]);
    }

    /// <summary>The fingerprint of a token held as a string.</summary>
    public static string Fingerprint(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return Fingerprint(Encoding.UTF8.GetBytes(value));
    }
}
