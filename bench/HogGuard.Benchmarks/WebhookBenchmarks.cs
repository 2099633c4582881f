using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using BenchmarkDotNet.Attributes;
using HogGuard.Webhooks;
using Microsoft.AspNetCore.Http;
using StandardWebhooks;
using Stripe;

namespace HogGuard.Benchmarks;

/// <summary>
/// One webhook verification for 1 KB and 64 KB bodies: HogGuard's verifier against a bare
/// HMACSHA256.HashData over the same signed bytes (the floor), the StandardWebhooks package and
/// Stripe.net's signature check. MemoryDiagnoser shows bytes allocated per verification.
/// </summary>
[MemoryDiagnoser]
public class WebhookBenchmarks
{
    private readonly FixedClock _clock = new();
    private byte[] _body = [];
    private string _bodyText = string.Empty;
    private byte[] _signed = [];
    private byte[] _key = [];
    private string _secret = string.Empty;
    private string _timestamp = string.Empty;
    private string _signature = string.Empty;
    private WebhookVerifier _verifier = null!;
    private StandardWebhook _standard = null!;
    private HeaderDictionary _headers = null!;
    private string _stripeHeader = string.Empty;
    private string _stripeSecret = string.Empty;
    private long _now;

    [Params(1024, 65536)]
    public int BodyBytes { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _bodyText = "{\"event\":\"$pageview\",\"properties\":{\"pad\":\"" + new string('x', BodyBytes - 44) + "\"}}";
        _body = Encoding.UTF8.GetBytes(_bodyText);
        _secret = WebhookKey.NewStandardSecret();
        _key = Convert.FromBase64String(_secret[6..]);
        _now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        _clock.Now = DateTimeOffset.FromUnixTimeSeconds(_now);
        _timestamp = _now.ToString(CultureInfo.InvariantCulture);
        var key = WebhookKey.FromStandardSecret("k", _secret);
        _signature = WebhookSigner.SignStandard(key, "msg_bench", _now, _body);
        _signed = Encoding.UTF8.GetBytes($"msg_bench.{_timestamp}.{_bodyText}");
        _verifier = new WebhookVerifier(new WebhookVerifierOptions(), [key], _clock);
        _standard = new StandardWebhook(_secret);
        _headers = new HeaderDictionary { ["webhook-id"] = "msg_bench", ["webhook-timestamp"] = _timestamp, ["webhook-signature"] = _signature };
        _stripeSecret = "whsec_stripe_bench_secret";
        _stripeHeader = EventUtility.GenerateSignatureHeader(_bodyText, _stripeSecret, _now);
    }

    [Benchmark(Baseline = true, Description = "HMACSHA256.HashData (floor)")]
    public byte Hmac()
    {
        Span<byte> hash = stackalloc byte[32];
        HMACSHA256.HashData(_key, _signed, hash);
        return hash[0];
    }

    [Benchmark(Description = "HogGuard WebhookVerifier")]
    public bool HogGuard() => _verifier.Verify("msg_bench", _timestamp, _signature, _body).IsValid;

    [Benchmark(Description = "StandardWebhooks package")]
    public bool StandardWebhooksPackage()
    {
        _standard.Verify(_bodyText, _headers);
        return true;
    }

    [Benchmark(Description = "Stripe.net ValidateSignature")]
    public bool Stripe()
    {
        EventUtility.ValidateSignature(_bodyText, _stripeHeader, _stripeSecret, 300, _now);
        return true;
    }

    private sealed class FixedClock : TimeProvider
    {
        public DateTimeOffset Now { get; set; }

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
