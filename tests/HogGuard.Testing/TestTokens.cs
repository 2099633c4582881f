using System.Numerics;
using System.Security.Cryptography;
using System.Text;

namespace HogGuard.Testing;

/// <summary>
/// Makes PostHog-shaped tokens at run time, the way PostHog generates them, so no token ever sits
/// in the repository (the project must never trip its own scanner).
/// </summary>
public static class TestTokens
{
    public const string Base62 = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    public const string Base57 = "23456789abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ";

    public static readonly string[] Prefixes = ["phc_", "phx_", "phs_", "pha_", "phr_"];

    public static int BytesFor(string prefix) => prefix is "phx_" or "phs_" ? 35 : 32;

    /// <summary>A token as PostHog makes it: random bytes, base62 or base57 with the top bit set.</summary>
    public static string Make(string prefix, bool base57, Random random)
    {
        var bits = BytesFor(prefix) * 8;
        var bytes = new byte[bits / 8];
        random.NextBytes(bytes);
        var value = new BigInteger(bytes, isUnsigned: true, isBigEndian: true);
        if (base57)
        {
            value |= BigInteger.One << (bits - 1);
        }

        return prefix + Encode(value, base57 ? Base57 : Base62);
    }

    /// <summary>
    /// The same token for the same prefix and label in every run (seeded from the label's SHA-256;
    /// <c>string.GetHashCode</c> differs in every process).
    /// </summary>
    public static string Stable(string prefix, string label) =>
        Make(prefix, base57: true, new Random(BitConverter.ToInt32(SHA256.HashData(Encoding.UTF8.GetBytes(prefix + label)), 0)));

    /// <summary>A token whose random part is <paramref name="value"/> written in <paramref name="alphabet"/>.</summary>
    public static string FromValue(string prefix, BigInteger value, string alphabet) => prefix + Encode(value, alphabet);

    public static string Encode(BigInteger value, string alphabet)
    {
        var text = new StringBuilder();
        do
        {
            value = BigInteger.DivRem(value, alphabet.Length, out var digit);
            text.Insert(0, alphabet[(int)digit]);
        }
        while (!value.IsZero);
        return text.ToString();
    }

    public static string Sha256Prefix(string token) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)))[..12];
}
