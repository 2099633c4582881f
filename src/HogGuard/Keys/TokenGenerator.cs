using System.Numerics;
using System.Security.Cryptography;
using System.Text;

namespace HogGuard.Keys;

/// <summary>Makes new tokens the way PostHog does since March 2026: random bytes, top bit set, written in base57.</summary>
internal static class TokenGenerator
{
    public static string Generate(PostHogTokenKind kind)
    {
        var bytes = RandomNumberGenerator.GetBytes(kind.RandomBytes());
        bytes[0] |= 0x80;
        var value = new BigInteger(bytes, isUnsigned: true, isBigEndian: true);
        var digits = new StringBuilder();
        while (!value.IsZero)
        {
            value = BigInteger.DivRem(value, PostHogTokenFormat.Base57Digits.Length, out var digit);
            digits.Insert(0, PostHogTokenFormat.Base57Digits[(int)digit]);
        }

        return kind.Prefix() + digits;
    }

    /// <summary>How PostHog stores a key: <c>sha256$</c> and the hex SHA-256 of its UTF-8 bytes, no salt.</summary>
    public static string StoredHash(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return "sha256$" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)));
    }
}
