using System.Numerics;
using HogGuard.Keys;
using HogGuard.Testing;

namespace HogGuard.Tests.Keys;

public sealed class PostHogTokenFormatTests
{
    public static TheoryData<string, bool> KindsAndAlphabets()
    {
        var data = new TheoryData<string, bool>();
        foreach (var prefix in TestTokens.Prefixes)
        {
            data.Add(prefix, false);
            data.Add(prefix, true);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(KindsAndAlphabets))]
    public void TryParse_GeneratedTokens_AcceptsEveryOneWithKindAndAlphabet(string prefix, bool base57)
    {
        // A fixed seed per case: string.GetHashCode differs in every process, which made the lengths drawn differ too.
        var random = new Random((Array.IndexOf(TestTokens.Prefixes, prefix) * 2) + (base57 ? 1 : 0));
        var lengths = new HashSet<int>();
        for (var i = 0; i < 2000; i++)
        {
            var token = TestTokens.Make(prefix, base57, random);
            Assert.True(PostHogTokenFormat.TryParse(token, out var kind, out var alphabet), $"length {token.Length - 4} refused");
            Assert.Equal(prefix, kind.Prefix());
            if (base57)
            {
                // Every base57 token is also a base62 string; the value range must still say base57.
                Assert.Equal(TokenAlphabet.Base57, alphabet);
            }

            lengths.Add(token.Length - 4);
        }

        // The lengths the facts sheet gives, each of which must turn up: base57 32 bytes 44; 35 bytes 48
        // and 49; base62 at most 43 / 48 (shorter ones are rarer and may or may not turn up).
        var expected = (base57, TestTokens.BytesFor(prefix)) switch
        {
            (true, 32) => new[] { 44 },
            (true, _) => [48, 49],
            (false, 32) => [42, 43],
            (false, _) => [46, 47, 48],
        };
        Assert.Superset(expected.ToHashSet(), lengths);
    }

    [Theory]
    [InlineData("phc_", 256, 43)]
    [InlineData("phx_", 280, 48)]
    public void TryParse_LargestBase62Value_IsAccepted(string prefix, int bits, int length)
    {
        var token = TestTokens.FromValue(prefix, (BigInteger.One << bits) - 1, TestTokens.Base62);
        Assert.Equal(length, token.Length - 4);
        Assert.True(PostHogTokenFormat.TryParse(token, out _, out var alphabet));
        Assert.Equal(TokenAlphabet.Base62, alphabet);
    }

    [Theory]
    [InlineData("phc_", 256)]
    [InlineData("pha_", 256)]
    [InlineData("phx_", 280)]
    [InlineData("phs_", 280)]
    public void TryParse_ValueBeyondTheRandomBytes_IsRefused(string prefix, int bits)
    {
        // One past the largest value PostHog can draw, in both alphabets.
        Assert.False(PostHogTokenFormat.TryParse(TestTokens.FromValue(prefix, BigInteger.One << bits, TestTokens.Base62), out _, out _));
        Assert.False(PostHogTokenFormat.TryParse(TestTokens.FromValue(prefix, BigInteger.One << bits, TestTokens.Base57), out _, out _));
    }

    [Fact]
    public void TryParse_Base57SmallestAndLargest_AcceptedAtBothLengths()
    {
        var smallest = TestTokens.FromValue("phx_", BigInteger.One << 279, TestTokens.Base57);
        var largest = TestTokens.FromValue("phx_", (BigInteger.One << 280) - 1, TestTokens.Base57);
        Assert.Equal(48, smallest.Length - 4);
        Assert.Equal(49, largest.Length - 4);
        Assert.True(PostHogTokenFormat.TryParse(smallest, out _, out var a1));
        Assert.True(PostHogTokenFormat.TryParse(largest, out _, out var a2));
        Assert.Equal(TokenAlphabet.Base57, a1);
        Assert.Equal(TokenAlphabet.Base57, a2);
    }

    [Theory]
    [InlineData("phc_", 45)]
    [InlineData("phx_", 50)]
    [InlineData("phx_", 39)]
    [InlineData("phc_", 39)]
    public void TryParse_LengthPostHogNeverMakes_IsRefused(string prefix, int length)
    {
        var random = new Random(length);
        var body = new string(Enumerable.Range(0, length).Select(_ => TestTokens.Base57[random.Next(TestTokens.Base57.Length)]).ToArray());
        Assert.False(PostHogTokenFormat.TryParse(prefix + body, out _, out _));
    }

    [Fact]
    public void TryParse_Base62DigitsInA49CharacterBody_IsRefused()
    {
        // 49 characters exist only in base57; a 0, 1, O, I or l cannot appear there.
        var token = TestTokens.FromValue("phx_", (BigInteger.One << 280) - 1, TestTokens.Base57);
        var withZero = token[..10] + "0" + token[11..];
        Assert.False(PostHogTokenFormat.TryParse(withZero, out _, out _));
    }

    [Theory]
    [InlineData("phz_")]
    [InlineData("PHX_")]
    [InlineData("ph_x")]
    public void TryParse_WrongPrefix_IsRefused(string prefix)
    {
        var token = TestTokens.Make("phx_", base57: true, new Random(3));
        Assert.False(PostHogTokenFormat.TryParse(prefix + token[4..], out _, out _));
    }
}
