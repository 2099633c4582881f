using System.Text;
using HogGuard.Detection;
using HogGuard.Keys;
using HogGuard.Testing;

namespace HogGuard.Tests.Detection;

public sealed class TokenDetectorTests
{
    private static readonly Random Random = new(11);

    private static string Token(string prefix = "phx_", bool base57 = true) => TestTokens.Make(prefix, base57, Random);

    [Theory]
    [InlineData("phx_", "posthog-personal-api-key", Severity.Critical)]
    [InlineData("phs_", "posthog-project-secret-api-key", Severity.Critical)]
    [InlineData("pha_", "posthog-oauth-access-token", Severity.High)]
    [InlineData("phr_", "posthog-oauth-refresh-token", Severity.High)]
    [InlineData("phc_", "posthog-project-api-key", Severity.Low)]
    public void Scan_EachKind_ReportsRuleSeverityMaskAndFingerprint(string prefix, string rule, Severity severity)
    {
        var token = Token(prefix);
        var finding = Assert.Single(DetectorTestKit.Scan($"const key = \"{token}\";\n"));
        Assert.Equal(rule, finding.Rule.Id);
        Assert.Equal(severity, finding.Severity);
        Assert.Equal(SecretMasking.Mask(token), finding.Masked);
        Assert.Equal(TestTokens.Sha256Prefix(token), finding.Fingerprint);
        var location = Assert.Single(finding.Locations);
        Assert.Equal((1, 14), (location.Line, location.Column));
    }

    [Theory]
    [InlineData("al{0}")]
    [InlineData("my_{0}")]
    [InlineData("9{0}")]
    [InlineData("{0}a")]
    [InlineData("{0}_suffix")]
    [InlineData("{0}Z9")]
    public void Scan_TokenGluedToAnIdentifierOrTooLong_IsNotReported(string shape)
    {
        var text = string.Format(System.Globalization.CultureInfo.InvariantCulture, shape, Token());
        Assert.Empty(DetectorTestKit.Scan(text));
    }

    [Theory]
    [InlineData("\"{0}\"")]
    [InlineData("key={0}")]
    [InlineData("Bearer {0}\r\n")]
    [InlineData("{0}")]
    [InlineData("-{0}-")]
    [InlineData("url?token={0}&x=1")]
    [InlineData("\"line one\\n{0}\"")]
    [InlineData("\"a\\t{0}\"")]
    [InlineData("https://x.test/?key%3D{0}")]
    public void Scan_TokenAtNonIdentifierBoundaries_IsReported(string shape)
    {
        var text = string.Format(System.Globalization.CultureInfo.InvariantCulture, shape, Token());
        Assert.Single(DetectorTestKit.Scan(text));
    }

    [Fact]
    public void Scan_TokenSurroundedByInvalidUtf8AndBinaryLikeBytes_IsReported()
    {
        var token = Encoding.ASCII.GetBytes(Token("phs_"));
        byte[] before = [0xFF, 0xFE, 0xC3, 0x28, 0x80, (byte)' '];
        byte[] after = [0xE2, 0x82, 0xFF];
        var finding = Assert.Single(DetectorTestKit.Scan([.. before, .. token, .. after]));
        Assert.Equal("posthog-project-secret-api-key", finding.Rule.Id);
    }

    [Fact]
    public void Scan_TokensInAHugeMinifiedLine_AreAllFoundWithColumns()
    {
        var first = Token("phx_");
        var second = Token("pha_", base57: false);
        var filler = new string('a', 6_000_000);
        var text = $"var a=\"{first}\";{filler};var b=\"{second}\"";
        var findings = DetectorTestKit.Scan(text, "bundle.min.js");
        Assert.Equal(2, findings.Count);
        var late = findings.Single(f => f.Kind == "oauth_access_token").Locations.Single();
        Assert.Equal(1, late.Line);
        Assert.Equal(text.IndexOf(second, StringComparison.Ordinal) + 1, late.Column);
    }

    [Fact]
    public void Scan_TokenAcrossTheWindowBoundary_IsFoundOnce()
    {
        // Put a token so it starts a few bytes before the first window ends.
        var token = Token("phr_");
        foreach (var shift in new[] { 1, 10, 30, 50, 60, 100 })
        {
            var prefix = new string('x', ContentScanner.WindowSize - shift) + "\n";
            var text = prefix + token + "\nnext line\n";
            var finding = Assert.Single(DetectorTestKit.Scan(text));
            var location = Assert.Single(finding.Locations);
            Assert.Equal((2, 1), (location.Line, location.Column));
        }
    }

    [Fact]
    public void Scan_LinesAndColumns_CountUtf16UnitsAfterMultibyteCharacters()
    {
        var token = Token();
        var finding = Assert.Single(DetectorTestKit.Scan($"line one\nline two\n// clé ✓ {token}\n"));
        Assert.Equal((3, 10), (finding.Locations[0].Line, finding.Locations[0].Column));
    }

    [Fact]
    public void Scan_SameTokenInTwoPlaces_IsOneFindingWithTwoLocations()
    {
        var token = Token("phs_");
        var finding = Assert.Single(DetectorTestKit.Scan($"a = \"{token}\"\nb = \"{token}\"\n"));
        Assert.Equal(new int?[] { 1, 2 }, finding.Locations.Select(l => l.Line));
    }

    [Fact]
    public void Scan_InlineAllowComment_SuppressesOnlyThatLine()
    {
        var allowed = Token("phx_");
        var reported = Token("phs_");
        var findings = DetectorTestKit.Scan($"x = \"{allowed}\"  # hogguard:allow test key\ny = \"{reported}\"\n");
        var finding = Assert.Single(findings);
        Assert.Equal(SecretMasking.Mask(reported), finding.Masked);
    }

    [Theory]
    [InlineData("utf-16le-bom")]
    [InlineData("utf-16be-bom")]
    [InlineData("utf-16le")]
    [InlineData("utf-32le-bom")]
    [InlineData("utf-32be-bom")]
    [InlineData("utf-32le")]
    [InlineData("utf-32be")]
    public void Scan_Utf16Text_IsDecodedAndScanned(string form)
    {
        var token = Token("phx_");
        var text = $"# written by PowerShell\r\nPOSTHOG_PERSONAL_API_KEY={token}\r\n";
        byte[] bytes = form switch
        {
            "utf-16le-bom" => [0xFF, 0xFE, .. Encoding.Unicode.GetBytes(text)],
            "utf-16be-bom" => [0xFE, 0xFF, .. Encoding.BigEndianUnicode.GetBytes(text)],
            "utf-32le-bom" => [0xFF, 0xFE, 0x00, 0x00, .. new UTF32Encoding(false, false).GetBytes(text)],
            "utf-32be-bom" => [0x00, 0x00, 0xFE, 0xFF, .. new UTF32Encoding(true, false).GetBytes(text)],
            "utf-32le" => new UTF32Encoding(false, false).GetBytes(text),
            "utf-32be" => new UTF32Encoding(true, false).GetBytes(text),
            _ => Encoding.Unicode.GetBytes(text),
        };

        var finding = Assert.Single(DetectorTestKit.Scan(bytes, ".env"));

        Assert.Equal(TestTokens.Sha256Prefix(token), finding.Fingerprint);
        Assert.Equal(2, finding.Locations[0].Line);
    }

    [Fact]
    public void Scan_Utf16TextOfKnownLength_ConsumesExactlyThatLength()
    {
        // As cat-file delivers blobs: the scanner must stop at the blob's end, leaving what follows.
        var token = Token("phs_");
        var blob = Encoding.Unicode.GetBytes($"key={token}\n");
        var stream = new MemoryStream([0xFF, 0xFE, .. blob, (byte)'\n', (byte)'N']);
        var sink = new FindingSet();

        new ContentScanner(sink).Scan(stream, blob.Length + 2, "a.txt");

        Assert.Single(sink.Hits);
        Assert.Equal((byte)'\n', stream.ReadByte());
        Assert.Equal((byte)'N', stream.ReadByte());
    }

    [Fact]
    public void Scan_BinaryContent_IsSkipped()
    {
        var bytes = Encoding.ASCII.GetBytes("\0\0\0" + Token());
        var sink = new FindingSet();
        Assert.Equal(ContentOutcome.Binary, new ContentScanner(sink).Scan(new MemoryStream(bytes), -1, "x.bin"));
        Assert.True(sink.IsEmpty);
    }
}
