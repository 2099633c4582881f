using System.Text.Json;
using HogGuard.Keys;
using HogGuard.Testing;

namespace HogGuard.Tests.Keys;

public sealed class SecretMaskingTests
{
    [Fact]
    public void Mask_LongValue_KeepsFirstAndLastFourAsPostHogDoes()
    {
        // Built here rather than written out, so the file holds no token-shaped literal.
        Assert.Equal("phx_...wxyz", SecretMasking.Mask("phx_" + new string('a', 40) + "wxyz"));
    }

    [Theory]
    [InlineData("abcdefghijklmnop")]
    [InlineData("abcdefghijklmnopqrstuvwxyz01234")]
    public void Mask_ValueUnder32Characters_ShowsAtMostFour(string value)
    {
        Assert.Equal("abcd...", SecretMasking.Mask(value));
    }

    [Theory]
    [InlineData("")]
    [InlineData("phx_short")]
    [InlineData("123456789012345")]
    public void Mask_UnderSixteenCharacters_IsAllStars(string value)
    {
        Assert.Equal("********", SecretMasking.Mask(value));
    }

    [Fact]
    public void Mask_Utf8Bytes_MatchesStringForm()
    {
        var token = TestTokens.Make("phs_", base57: true, new Random(1));
        Assert.Equal(SecretMasking.Mask(token), SecretMasking.Mask(System.Text.Encoding.UTF8.GetBytes(token)));
    }

    [Fact]
    public void Fingerprint_KnownVector_IsFirstTwelveHexDigitsOfSha256()
    {
        // Computed independently: sha256(b"hogguard-fingerprint-vector").hexdigest()[:12]
        Assert.Equal("d9d00eb72509", SecretMasking.Fingerprint("hogguard-fingerprint-vector"));
    }

    [Fact]
    public void PostHogSecret_ToStringAndJson_NeverShowTheValue()
    {
        var token = TestTokens.Make("phx_", base57: false, new Random(2));
        var secret = new PostHogSecret(token);

        var text = secret.ToString();
        var json = JsonSerializer.Serialize(secret, TestJsonContext.Default.PostHogSecret);
        var interpolated = $"key={secret}";

        foreach (var shown in new[] { text, json, interpolated })
        {
            Assert.DoesNotContain(token, shown, StringComparison.Ordinal);
            Assert.DoesNotContain(token[4..^4], shown, StringComparison.Ordinal);
            Assert.Contains(secret.Fingerprint, shown, StringComparison.Ordinal);
        }

        Assert.Equal(PostHogTokenKind.PersonalApiKey, secret.Kind);
        Assert.Equal(token, secret.Reveal());
    }

    [Fact]
    public void PostHogSecret_ReadFromJson_IsRefused()
    {
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize("\"anything\"", TestJsonContext.Default.PostHogSecret));
    }

    [Fact]
    public void PostHogSecret_Equality_ComparesValues()
    {
        var token = TestTokens.Make("phs_", base57: true, new Random(4));
        Assert.Equal(new PostHogSecret(token), new PostHogSecret(token));
        Assert.NotEqual(new PostHogSecret(token), new PostHogSecret(token + "x"));
    }
}

[System.Text.Json.Serialization.JsonSerializable(typeof(PostHogSecret))]
internal sealed partial class TestJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
