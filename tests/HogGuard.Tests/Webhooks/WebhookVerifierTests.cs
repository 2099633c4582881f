using System.Text;
using Microsoft.Extensions.Time.Testing;
using HogGuard.Webhooks;

namespace HogGuard.Tests.Webhooks;

public sealed class WebhookVerifierTests
{
    // The Standard Webhooks specification's published example.
    private const string SpecSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private const string SpecId = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    private const long SpecTimestamp = 1614265330;
    private const string SpecBody = "{\"test\": 2432232314}";
    private const string SpecSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    private static readonly byte[] Body = Encoding.UTF8.GetBytes("{\"event\":\"$pageview\",\"distinct_id\":\"u1\"}");

    private static FakeTimeProvider ClockAt(long seconds) => new(DateTimeOffset.FromUnixTimeSeconds(seconds));

    private static WebhookVerifier Verifier(FakeTimeProvider clock, IWebhookReplayStore? replay = null, params WebhookKey[] keys) =>
        new(new WebhookVerifierOptions(), keys.Length == 0 ? [WebhookKey.FromStandardSecret("main", SpecSecret)] : keys, clock, replay);

    [Fact]
    public void Verify_SpecificationExample_IsValid()
    {
        var result = Verifier(ClockAt(SpecTimestamp)).Verify(SpecId, "1614265330", SpecSignature, Encoding.UTF8.GetBytes(SpecBody));
        Assert.Equal(new WebhookVerificationResult(WebhookVerificationStatus.Valid, "main"), result);
    }

    [Fact]
    public void Sign_SpecificationExample_MatchesThePublishedSignature()
    {
        Assert.Equal(SpecSignature, WebhookSigner.SignStandard(WebhookKey.FromStandardSecret("k", SpecSecret), SpecId, SpecTimestamp, Encoding.UTF8.GetBytes(SpecBody)));
    }

    [Theory]
    [InlineData("body")]
    [InlineData("id")]
    [InlineData("timestamp")]
    [InlineData("signature")]
    public void Verify_AnyChange_IsRejected(string part)
    {
        var key = WebhookKey.FromStandardSecret("k", SpecSecret);
        var signature = WebhookSigner.SignStandard(key, "msg_1", SpecTimestamp, Body);
        var body = (byte[])Body.Clone();
        var (id, stamp) = ("msg_1", SpecTimestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
        switch (part)
        {
            case "body": body[^2] ^= 1; break;
            case "id": id = "msg_2"; break;
            case "timestamp": stamp = (SpecTimestamp + 1).ToString(System.Globalization.CultureInfo.InvariantCulture); break;
            default: signature = signature[..^3] + (signature[^3] == 'A' ? "B" : "A") + signature[^2..]; break;
        }

        var result = Verifier(ClockAt(SpecTimestamp), null, key).Verify(id, stamp, signature, body);

        Assert.Equal(WebhookVerificationStatus.NoMatchingSignature, result.Status);
    }

    [Theory]
    [InlineData(-300, WebhookVerificationStatus.Valid)]
    [InlineData(300, WebhookVerificationStatus.Valid)]
    [InlineData(-301, WebhookVerificationStatus.TimestampOutsideTolerance)]
    [InlineData(301, WebhookVerificationStatus.TimestampOutsideTolerance)]
    public void Verify_ToleranceEdges_AreInclusive(long skew, WebhookVerificationStatus expected)
    {
        var key = WebhookKey.FromStandardSecret("k", SpecSecret);
        var signature = WebhookSigner.SignStandard(key, "m", SpecTimestamp, Body);

        var result = Verifier(ClockAt(SpecTimestamp - skew), null, key).Verify("m", SpecTimestamp.ToString(System.Globalization.CultureInfo.InvariantCulture), signature, Body);

        Assert.Equal(expected, result.Status);
    }

    [Theory]
    [InlineData("1614265330000")]
    [InlineData("-1614265330")]
    [InlineData("16142653.30")]
    [InlineData(" 1614265330")]
    [InlineData("0x60381b72")]
    [InlineData("999999999999999999999999")]
    public void Verify_MillisecondsOrNonNumericTimestamps_AreMalformed(string timestamp)
    {
        var result = Verifier(ClockAt(SpecTimestamp)).Verify(SpecId, timestamp, SpecSignature, Encoding.UTF8.GetBytes(SpecBody));
        Assert.Equal(WebhookVerificationStatus.MalformedHeader, result.Status);
    }

    [Fact]
    public void Verify_SameDeliveryTwice_SecondIsReplayed()
    {
        var verifier = Verifier(ClockAt(SpecTimestamp), new InMemoryReplayStore());
        var body = Encoding.UTF8.GetBytes(SpecBody);

        var first = verifier.Verify(SpecId, "1614265330", SpecSignature, body);
        var second = verifier.Verify(SpecId, "1614265330", SpecSignature, body);

        Assert.True(first.IsValid);
        Assert.Equal(WebhookVerificationStatus.Replayed, second.Status);
    }

    [Fact]
    public void Verify_UnsignedRequests_DoNotFillTheReplayStore()
    {
        var store = new InMemoryReplayStore(capacity: 2);
        var verifier = Verifier(ClockAt(SpecTimestamp), store);
        for (var i = 0; i < 10; i++)
        {
            verifier.Verify($"msg_{i}", "1614265330", "v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", Body);
        }

        Assert.Equal(0, store.Count);
        Assert.True(verifier.Verify(SpecId, "1614265330", SpecSignature, Encoding.UTF8.GetBytes(SpecBody)).IsValid);
    }

    [Fact]
    public void Verify_RotationOverlap_BothKeysWorkInsideTheirWindowsAndTheResultNamesTheKey()
    {
        var at = DateTimeOffset.FromUnixTimeSeconds(SpecTimestamp);
        var old = WebhookKey.FromStandardSecret("old", WebhookKey.NewStandardSecret(), notAfter: at.AddMinutes(10));
        var next = WebhookKey.FromStandardSecret("new", WebhookKey.NewStandardSecret(), notBefore: at.AddMinutes(-10));
        var verifier = Verifier(ClockAt(SpecTimestamp), null, old, next);

        var byOld = verifier.Verify("a", "1614265330", WebhookSigner.SignStandard(old, "a", SpecTimestamp, Body), Body);
        var byNew = verifier.Verify("b", "1614265330", WebhookSigner.SignStandard(next, "b", SpecTimestamp, Body), Body);
        var both = verifier.Verify("c", "1614265330", WebhookSigner.SignStandard(old, "c", SpecTimestamp, Body) + " " + WebhookSigner.SignStandard(next, "c", SpecTimestamp, Body), Body);
        var late = Verifier(ClockAt(SpecTimestamp + 3600), null, old, next)
            .Verify("d", (SpecTimestamp + 3600).ToString(System.Globalization.CultureInfo.InvariantCulture), WebhookSigner.SignStandard(old, "d", SpecTimestamp + 3600, Body), Body);

        Assert.Equal("old", byOld.KeyId);
        Assert.Equal("new", byNew.KeyId);
        Assert.True(both.IsValid);
        Assert.Equal(WebhookVerificationStatus.NoMatchingSignature, late.Status);
    }

    [Fact]
    public void Verify_NoSecret_FailsClosed()
    {
        var verifier = new WebhookVerifier(new WebhookVerifierOptions(), [], ClockAt(SpecTimestamp));
        Assert.Equal(WebhookVerificationStatus.NoSecretConfigured, verifier.Verify(SpecId, "1614265330", SpecSignature, Encoding.UTF8.GetBytes(SpecBody)).Status);
        Assert.Throws<FormatException>(() => WebhookKey.FromStandardSecret("k", "whsec_"));
        Assert.Throws<FormatException>(() => WebhookKey.FromUtf8Secret("k", string.Empty));
    }

    [Theory]
    [InlineData(null, "1614265330", SpecSignature, WebhookVerificationStatus.MissingHeader)]
    [InlineData(SpecId, "", SpecSignature, WebhookVerificationStatus.MissingHeader)]
    [InlineData(SpecId, "1614265330", null, WebhookVerificationStatus.MissingHeader)]
    [InlineData(SpecId, "1614265330", "garbage", WebhookVerificationStatus.MalformedHeader)]
    [InlineData(SpecId, "1614265330", "v1,", WebhookVerificationStatus.MalformedHeader)]
    [InlineData(SpecId, "1614265330", "v2,abc " + SpecSignature, WebhookVerificationStatus.Valid)]
    [InlineData(SpecId, "1614265330", "v1a,xyz", WebhookVerificationStatus.NoMatchingSignature)]
    [InlineData(SpecId, "1614265330", "v1,not-base64!!", WebhookVerificationStatus.NoMatchingSignature)]
    public void Verify_HeaderShapes_GiveTheRightVerdict(string? id, string? timestamp, string? signature, WebhookVerificationStatus expected)
    {
        Assert.Equal(expected, Verifier(ClockAt(SpecTimestamp)).Verify(id, timestamp, signature, Encoding.UTF8.GetBytes(SpecBody)).Status);
    }

    [Fact]
    public void Verify_OversizedHeaders_AreMalformed()
    {
        var verifier = Verifier(ClockAt(SpecTimestamp));
        Assert.Equal(WebhookVerificationStatus.MalformedHeader, verifier.Verify(new string('a', 5000), "1614265330", SpecSignature, Body).Status);
        Assert.Equal(WebhookVerificationStatus.MalformedHeader, verifier.Verify(SpecId, "1614265330", SpecSignature + new string(' ', 5000), Body).Status);
    }

    [Fact]
    public void Verify_HostileHeaders_AlwaysGiveAResultNeverAnException()
    {
        var random = new Random(42);
        var verifier = Verifier(ClockAt(SpecTimestamp), new InMemoryReplayStore());
        var alphabet = "v1,=+/ \t\r\n\0abcXYZ0123456789.-_\u00e9\u2603\ud83d\ude00";
        for (var i = 0; i < 20_000; i++)
        {
            string Junk() => new([.. Enumerable.Range(0, random.Next(0, 120)).Select(_ => alphabet[random.Next(alphabet.Length)])]);
            var body = new byte[random.Next(0, 256)];
            random.NextBytes(body);
            var stamp = random.Next(3) == 0 ? Junk() : (SpecTimestamp + random.Next(-1000, 1000)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            var result = verifier.Verify(random.Next(5) == 0 ? null : Junk(), stamp, random.Next(5) == 0 ? null : Junk(), body);
            Assert.False(result.IsValid);
        }
    }

    [Fact]
    public void HexScheme_SignAndVerify_WithUtf8SecretAndItsHeaders()
    {
        var key = WebhookKey.FromUtf8Secret("hog", "my hog secret");
        var options = new WebhookVerifierOptions { Scheme = WebhookScheme.TimestampedHex };
        var verifier = new WebhookVerifier(options, [key], ClockAt(SpecTimestamp), new InMemoryReplayStore());
        var signature = WebhookSigner.SignHex(key, SpecTimestamp, Body);

        Assert.Equal("x-posthog-signature", options.EffectiveSignatureHeader);
        Assert.Equal(64, signature.Length);
        Assert.True(verifier.Verify(null, "1614265330", signature.ToUpperInvariant(), Body).IsValid);
        Assert.Equal(WebhookVerificationStatus.Replayed, verifier.Verify(null, "1614265330", signature.ToUpperInvariant(), Body).Status);
        Assert.Equal(WebhookVerificationStatus.MalformedHeader, verifier.Verify(null, "1614265330", signature[..^1], Body).Status);
    }

    [Fact]
    public void HexScheme_ReplayWithTheSignatureRewritten_IsStillAReplay()
    {
        // The replay key is the signature's bytes, not the header text: case and spaces change nothing.
        var key = WebhookKey.FromUtf8Secret("hog", "my hog secret");
        var verifier = new WebhookVerifier(new WebhookVerifierOptions { Scheme = WebhookScheme.TimestampedHex }, [key], ClockAt(SpecTimestamp), new InMemoryReplayStore());
        var signature = WebhookSigner.SignHex(key, SpecTimestamp, Body);
        string[] variants = [signature.ToUpperInvariant(), " " + signature, signature + "  ", string.Concat(signature.Select((c, i) => i % 2 == 0 ? char.ToUpperInvariant(c) : c))];

        Assert.True(verifier.Verify(null, "1614265330", signature, Body).IsValid);
        Assert.All(variants, v => Assert.Equal(WebhookVerificationStatus.Replayed, verifier.Verify(null, "1614265330", v, Body).Status));
    }

    [Fact]
    public void HexScheme_KnownVector_MatchesHmacOfTimestampDotBody()
    {
        // Computed independently: hmac.new(b"key", b"1614265330.hello", sha256).hexdigest()
        var signature = WebhookSigner.SignHex(WebhookKey.FromUtf8Secret("k", "key"), SpecTimestamp, "hello"u8);
        Assert.Equal("da068edb77613ca725c663c9ecaa2f4ecd118b71a411201bcf8d0e4e40fc759c", signature);
    }

}
