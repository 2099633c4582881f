using System.Text;
using HogGuard.Detection;
using HogGuard.Testing;

namespace HogGuard.Tests.Detection;

/// <summary>Tokens written base64-encoded (once or twice), percent-encoded or <c>\u</c>-escaped.</summary>
public sealed class EncodedTokenTests
{
    private static readonly Random Random = new(23);

    private static string Token(string prefix = "phx_") => TestTokens.Make(prefix, Random.Next(2) == 0, Random);

    private static string B64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    private static string B64Url(string text) => B64(text).Replace('+', '-').Replace('/', '_').TrimEnd('=');

    public static TheoryData<string, string> KindsAndAlignments()
    {
        var data = new TheoryData<string, string>();
        foreach (var prefix in TestTokens.Prefixes)
        {
            foreach (var before in new[] { "", "u:", "me:", "user:", "{\"k\":\"" })
            {
                data.Add(prefix, before);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(KindsAndAlignments))]
    public void Base64_EachKindAtEachAlignment_IsFoundWithItsValueAndEncoding(string prefix, string before)
    {
        var token = Token(prefix);
        var encoded = B64(before + token + "\n");
        var text = $"data:\n  key: {encoded}\n";
        var finding = Assert.Single(DetectorTestKit.Scan(text, "secret.yaml"));
        Assert.Equal(TestTokens.Sha256Prefix(token), finding.Fingerprint);
        Assert.True(HogGuard.Keys.PostHogTokenFormat.TryParse(token, out var kind, out _));
        Assert.Equal(Rules.ForKind(kind).Id, finding.Rule.Id);
        var location = Assert.Single(finding.Locations);
        Assert.Equal("base64", location.Encoding);
        Assert.Equal(2, location.Line);
        // Reported at the 4-character group that holds the token's first byte.
        Assert.Equal(8 + (before.Length / 3 * 4), location.Column);
    }

    [Fact]
    public void Base64Url_WithUrlSafeCharacters_SaysBase64Url()
    {
        // "~~~" encodes as "fn5+", so the URL-safe form holds a '-'.
        var token = Token();
        var encoded = B64Url("~~~k:" + token);
        Assert.StartsWith("fn5-", encoded, StringComparison.Ordinal);
        var finding = Assert.Single(DetectorTestKit.Scan($"t={encoded}&a=1"));
        Assert.Equal(TestTokens.Sha256Prefix(token), finding.Fingerprint);
        Assert.Equal("base64url", Assert.Single(finding.Locations).Encoding);
    }

    [Fact]
    public void Base64_AuthorizationBasicHeader_IsFound()
    {
        var token = Token("phx_");
        var text = $"curl -H 'Authorization: Basic {B64("api:" + token)}' https://x.test/\n";
        var finding = Assert.Single(DetectorTestKit.Scan(text, "run.sh"));
        Assert.Equal(TestTokens.Sha256Prefix(token), finding.Fingerprint);
    }

    [Fact]
    public void Base64_WrappedAt76Columns_IsFoundAcrossTheLineBreak()
    {
        var token = Token("phs_");
        // As the base64 tool writes it: 76 characters a line, the token crossing a break.
        var encoded = B64(new string('a', 40) + " " + token + " " + new string('b', 40));
        var wrapped = string.Join('\n', encoded.Chunk(76).Select(c => new string(c)));
        Assert.Contains('\n', wrapped[50..110]);
        var finding = Assert.Single(DetectorTestKit.Scan(wrapped + "\n", "blob.b64"));
        Assert.Equal(TestTokens.Sha256Prefix(token), finding.Fingerprint);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Base64Twice_DockerConfigInAKubernetesSecret_IsFoundAsNested(bool urlSafeInner)
    {
        var token = Token("phx_");
        var auth = urlSafeInner ? B64Url("bot:" + token) : B64("bot:" + token);
        var dockerConfig = $"{{\"auths\":{{\"ghcr.io\":{{\"username\":\"bot\",\"auth\":\"{auth}\"}}}}}}";
        var secret = $"apiVersion: v1\nkind: Secret\ntype: kubernetes.io/dockerconfigjson\ndata:\n  .dockerconfigjson: {B64(dockerConfig)}\n";
        var finding = Assert.Single(DetectorTestKit.Scan(secret, "k8s/pull-secret.yaml"));
        Assert.Equal(TestTokens.Sha256Prefix(token), finding.Fingerprint);
        var location = Assert.Single(finding.Locations);
        Assert.StartsWith("base64+base64", location.Encoding, StringComparison.Ordinal);
        Assert.Equal(5, location.Line);
    }

    [Fact]
    public void Base64ThreeTimes_IsBeyondTheNestingLimit()
    {
        var token = Token("phx_");
        Assert.Empty(DetectorTestKit.Scan(B64(B64(B64("k:" + token)))));
    }

    [Theory]
    [InlineData("my_")]
    [InlineData("alpha")]
    public void Base64_OfATokenGluedToAWord_IsNotReported(string glue)
    {
        Assert.Empty(DetectorTestKit.Scan(B64(glue + Token())));
    }

    [Fact]
    public void Base64_CutShort_IsNotReported()
    {
        var encoded = B64("k:" + Token());
        Assert.Empty(DetectorTestKit.Scan(encoded[..50] + " rest of line"));
    }

    [Fact]
    public void Base64_OfAPlaceholder_IsNotReported()
    {
        Assert.Empty(DetectorTestKit.Scan(B64("k:phx_" + new string('x', 43))));
    }

    [Fact]
    public void Base64_RandomData_HoldsNoFalseFinding()
    {
        var bytes = new byte[3 << 20];
        new Random(5).NextBytes(bytes);
        var text = Convert.ToBase64String(bytes, Base64FormattingOptions.InsertLineBreaks);
        Assert.Empty(DetectorTestKit.Scan(text, "image.b64"));
    }

    [Fact]
    public void Base64_WithAllowMarkerOnItsLine_IsSkipped()
    {
        Assert.Empty(DetectorTestKit.Scan($"key: {B64("k:" + Token())} # hogguard:allow\n"));
    }

    public static TheoryData<int> Shifts() => [-300, -200, -120, -60, -30, .. Enumerable.Range(-18, 24)];

    [Theory]
    [MemberData(nameof(Shifts))]
    public void EncodedToken_AcrossTheScannersWindowBoundary_IsFoundOnce(int shift)
    {
        var token = Token("phx_");
        foreach (var encoded in new[] { B64("k:" + token), B64(B64("k:" + token)), string.Concat(token.Select(c => $"\\u{(int)c:x4}")), token })
        {
            var bytes = new byte[ContentScanner.WindowSize + 4096];
            Array.Fill(bytes, (byte)' ');
            var at = ContentScanner.WindowSize - TokenDetector.Overlap + shift;
            Encoding.ASCII.GetBytes(encoded).CopyTo(bytes, at);
            var finding = Assert.Single(DetectorTestKit.Scan(bytes));
            Assert.Equal(TestTokens.Sha256Prefix(token), finding.Fingerprint);
            Assert.Single(finding.Locations);
        }
    }

    [Theory]
    [InlineData("percent", "https://app.test/cb?key=%70%68%78%5F{0}")]
    [InlineData("percent", "url=https%3A%2F%2Fx.test%2F%3Fk%3D%70hx_{0}")]
    [InlineData("percent", "log: k=phx%5F{0}")]
    [InlineData("unicode-escape", "{{\"key\": \"\\u0070hx_{0}\"}}")]
    [InlineData("unicode-escape", "{{\"key\": \"\\u0070\\u0068\\u0078\\u005f{0}\"}}")]
    [InlineData("unicode-escape", "{{\"key\": \"\\u0070\\u0068\\u0078\\u005F{0}\"}}")]
    public void Escapes_PercentAndUnicode_AreDecoded(string encoding, string shape)
    {
        var token = Token("phx_");
        var text = string.Format(System.Globalization.CultureInfo.InvariantCulture, shape, token[4..]);
        var finding = Assert.Single(DetectorTestKit.Scan(text, "notebook.ipynb"));
        Assert.Equal(TestTokens.Sha256Prefix(token), finding.Fingerprint);
        Assert.Equal(encoding, Assert.Single(finding.Locations).Encoding);
    }

    [Fact]
    public void Escapes_EveryCharacterEscaped_IsDecoded()
    {
        var token = Token("phs_");
        var escaped = string.Concat(token.Select(c => $"\\u{(int)c:X4}"));
        var finding = Assert.Single(DetectorTestKit.Scan($"\"{escaped}\""));
        Assert.Equal(TestTokens.Sha256Prefix(token), finding.Fingerprint);
        var percent = string.Concat(token.Select(c => $"%{(int)c:X2}"));
        Assert.Single(DetectorTestKit.Scan($"q={percent}&z"));
    }

    [Theory]
    [InlineData("x%70hx_{0}")]
    [InlineData("%70hx_{0}Z")]
    [InlineData("%70hx_{0}%41")]
    public void Escapes_GluedOrTooLong_AreNotReported(string shape)
    {
        var token = Token("phx_");
        Assert.Empty(DetectorTestKit.Scan(string.Format(System.Globalization.CultureInfo.InvariantCulture, shape, token[4..])));
    }

    [Fact]
    public void PlainToken_HasNoEncoding()
    {
        Assert.Null(Assert.Single(Assert.Single(DetectorTestKit.Scan($"k={Token()}")).Locations).Encoding);
    }
}
