using System.Numerics;

namespace HogGuard.Keys;

/// <summary>
/// The exact shapes PostHog generates: a prefix and a random integer of 32 or 35 bytes written in
/// base62 (before March 2026) or base57 with the top bit forced on (since then). Checking the value
/// range, not just a length range, is what lets HogGuard accept every real token (49-character
/// base57 personal keys, 44-character base57 project tokens) and refuse longer look-alikes.
/// </summary>
public static class PostHogTokenFormat
{
    internal const string Base62Digits = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    internal const string Base57Digits = "23456789abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ";

    /// <summary>Length of <c>ph?_</c>.</summary>
    public const int PrefixLength = 4;

    /// <summary>The longest random part PostHog generates (a base57 35-byte key).</summary>
    public const int MaxBodyLength = 49;

    /// <summary>The shortest random part HogGuard accepts (a base62 32-byte token with three leading zero digits, odds about 1 in 14 million).</summary>
    public const int MinBodyLength = 40;

    private static readonly sbyte[] Base62Value = BuildValues(Base62Digits);
    private static readonly sbyte[] Base57Value = BuildValues(Base57Digits);
    private static readonly LengthRule Rule256 = new(256);
    private static readonly LengthRule Rule280 = new(280);

    /// <summary>True when <paramref name="token"/> is a whole PostHog token of a shape PostHog generates.</summary>
    public static bool TryParse(string token, out PostHogTokenKind kind, out TokenAlphabet alphabet)
    {
        ArgumentNullException.ThrowIfNull(token);
        kind = default;
        alphabet = default;
        if (token.Length < PrefixLength + MinBodyLength || token.Length > PrefixLength + MaxBodyLength)
        {
            return false;
        }

        Span<byte> bytes = stackalloc byte[token.Length];
        for (var i = 0; i < token.Length; i++)
        {
            if (token[i] > 127)
            {
                return false;
            }

            bytes[i] = (byte)token[i];
        }

        if (bytes[0] != 'p' || bytes[1] != 'h' || bytes[3] != '_' || !PostHogTokenKindInfo.TryFromLetter(bytes[2], out kind))
        {
            return false;
        }

        return TryClassifyBody(kind, bytes[PrefixLength..], out alphabet);
    }

    /// <summary>Checks the random part (after the prefix) against the lengths and value ranges PostHog generates.</summary>
    internal static bool TryClassifyBody(PostHogTokenKind kind, ReadOnlySpan<byte> body, out TokenAlphabet alphabet)
    {
        alphabet = default;
        var rule = kind.RandomBytes() == 35 ? Rule280 : Rule256;
        var n = body.Length;

        // Base57 tokens have the top bit forced on: exactly `bits` bits long.
        if (n >= rule.Base57MinLength && n <= rule.Base57MaxLength && BitLength(body, Base57Value, 57) == rule.Bits)
        {
            alphabet = TokenAlphabet.Base57;
            return true;
        }

        if (n >= rule.Base62MinLength && n <= rule.Base62MaxLength && BitLength(body, Base62Value, 62) is >= 0 and var length && length <= rule.Bits)
        {
            alphabet = TokenAlphabet.Base62;
            return true;
        }

        return false;
    }

    internal static bool IsTokenByte(byte b) => (uint)(b - '0') <= 9 || (uint)((b | 0x20) - 'a') <= 'z' - 'a';

    /// <summary>
    /// Decodes <paramref name="body"/> in <paramref name="radix"/> into a fixed 320-bit accumulator
    /// (no allocation: this runs at every candidate) and returns the value's bit length, or -1 when
    /// a character is outside the alphabet or the value needs more than 320 bits.
    /// </summary>
    private static int BitLength(ReadOnlySpan<byte> body, sbyte[] values, int radix)
    {
        Span<uint> limbs = stackalloc uint[10];
        foreach (var b in body)
        {
            var digit = b < 128 ? values[b] : (sbyte)-1;
            if (digit < 0)
            {
                return -1;
            }

            ulong carry = (ulong)digit;
            for (var i = 0; i < limbs.Length; i++)
            {
                var product = ((ulong)limbs[i] * (ulong)radix) + carry;
                limbs[i] = (uint)product;
                carry = product >> 32;
            }

            if (carry != 0)
            {
                return -1;
            }
        }

        for (var i = limbs.Length - 1; i >= 0; i--)
        {
            if (limbs[i] != 0)
            {
                return (i * 32) + 32 - BitOperations.LeadingZeroCount(limbs[i]);
            }
        }

        return 0;
    }

    private static sbyte[] BuildValues(string digits)
    {
        var values = new sbyte[128];
        Array.Fill(values, (sbyte)-1);
        for (var i = 0; i < digits.Length; i++)
        {
            values[digits[i]] = (sbyte)i;
        }

        return values;
    }

    private static int DigitCount(BigInteger value, int radix)
    {
        var count = 0;
        do
        {
            value /= radix;
            count++;
        }
        while (!value.IsZero);
        return count;
    }

    /// <summary>Lengths and value bounds for one size of random part.</summary>
    private sealed class LengthRule
    {
        public LengthRule(int bits)
        {
            Bits = bits;
            MaxValue = (BigInteger.One << bits) - 1;
            TopBit = BigInteger.One << (bits - 1);
            Base57MinLength = DigitCount(TopBit, 57);
            Base57MaxLength = DigitCount(MaxValue, 57);
            Base62MaxLength = DigitCount(MaxValue, 62);

            // Shorter base62 forms need leading zero digits; each one more is 62 times rarer.
            // Three (32 bytes) or four (35 bytes) below the maximum is where the odds pass one in ten million.
            Base62MinLength = Base62MaxLength - (bits == 256 ? 3 : 4);
        }

        public int Bits { get; }

        public BigInteger MaxValue { get; }

        public BigInteger TopBit { get; }

        public int Base57MinLength { get; }

        public int Base57MaxLength { get; }

        public int Base62MinLength { get; }

        public int Base62MaxLength { get; }
    }
}
