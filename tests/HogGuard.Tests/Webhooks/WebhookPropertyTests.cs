using FsCheck;
using FsCheck.Xunit;
using Microsoft.Extensions.Time.Testing;
using HogGuard.Webhooks;

namespace HogGuard.Tests.Webhooks;

/// <summary>Properties over generated deliveries: a signed one verifies; any change is refused; nothing throws.</summary>
public sealed class WebhookPropertyTests
{
    private const long Now = 1_750_000_000;
    private static readonly WebhookKey Key = WebhookKey.FromStandardSecret("k", "whsec_" + Convert.ToBase64String(new byte[32].Select((_, i) => (byte)(i * 7 + 3)).ToArray()));

    private static WebhookVerifier Verifier() => new(new WebhookVerifierOptions(), [Key], new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(Now)));

    private static string Id(NonEmptyString id) => "msg_" + new string(id.Get.Where(char.IsAsciiLetterOrDigit).Take(40).ToArray());

    [Property(MaxTest = 300)]
    public bool Signed_Verifies(NonEmptyString id, byte[] body, short skew)
    {
        var ts = Now + (skew % 300);
        var signature = WebhookSigner.SignStandard(Key, Id(id), ts, body ?? []);
        return Verifier().Verify(Id(id), ts.ToString(System.Globalization.CultureInfo.InvariantCulture), signature, body ?? []).IsValid;
    }

    [Property(MaxTest = 300)]
    public bool AnyBodyChange_IsRefused(NonEmptyString id, NonEmptyArray<byte> body, PositiveInt position, byte flip)
    {
        var original = body.Get;
        var signature = WebhookSigner.SignStandard(Key, Id(id), Now, original);
        var changed = (byte[])original.Clone();
        changed[position.Get % changed.Length] ^= (byte)(flip == 0 ? 1 : flip);
        return Verifier().Verify(Id(id), Now.ToString(System.Globalization.CultureInfo.InvariantCulture), signature, changed).Status == WebhookVerificationStatus.NoMatchingSignature;
    }

    [Property(MaxTest = 300)]
    public bool OtherIdOrTimestamp_IsRefused(NonEmptyString id, byte[] body, PositiveInt delta)
    {
        var signature = WebhookSigner.SignStandard(Key, Id(id), Now, body ?? []);
        var verifier = Verifier();
        var otherStamp = (Now + 1 + (delta.Get % 200)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return !verifier.Verify(Id(id) + "x", Now.ToString(System.Globalization.CultureInfo.InvariantCulture), signature, body ?? []).IsValid
            && !verifier.Verify(Id(id), otherStamp, signature, body ?? []).IsValid;
    }

    [Property(MaxTest = 1000)]
    public bool ArbitraryHeaders_NeverThrow(string? id, string? timestamp, string? signature, byte[]? body)
    {
        var result = Verifier().Verify(id, timestamp, signature, body ?? []);
        return Enum.IsDefined(result.Status);
    }

}
