using HogGuard.Configuration;
using HogGuard.Detection;

namespace HogGuard.Tests.Configuration;

public sealed class BaselineTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("hogguard-baseline-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void WriteThenLoad_ContainsExactlyTheWrittenFindings()
    {
        var known = new Finding(Rules.PersonalApiKey, "personal_api_key", "aaaaaaaaaaaa", "phx_...abcd", [new Location("a.py", 1, 1)]);
        var other = known with { Fingerprint = "bbbbbbbbbbbb" };
        var sameFingerprintOtherRule = known with { Rule = Rules.SettingLiteral };
        var path = Path.Combine(_folder, "baseline.json");

        Baseline.Write(path, [known]);
        var baseline = Baseline.Load(path);

        Assert.True(baseline.Contains(known));
        Assert.False(baseline.Contains(other));
        Assert.False(baseline.Contains(sameFingerprintOtherRule));
        Assert.DoesNotContain(".tmp", string.Join(",", Directory.GetFiles(_folder)), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not json", "is not valid JSON")]
    [InlineData("{\"version\":2,\"findings\":[]}", "is not a HogGuard baseline")]
    [InlineData("[]", "is not valid JSON")]
    [InlineData("{\"version\":1,\"findings\":[{\"rule\":\"x\"}]}", "has an entry without rule or fingerprint")]
    public void Load_Malformed_ThrowsWithTheFix(string content, string expected)
    {
        var path = Path.Combine(_folder, "bad.json");
        File.WriteAllText(path, content);
        var error = Assert.Throws<ConfigurationException>(() => Baseline.Load(path));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Contains("--write-baseline", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_MissingFile_SaysCannotRead()
    {
        var error = Assert.Throws<ConfigurationException>(() => Baseline.Load(Path.Combine(_folder, "none.json")));
        Assert.StartsWith("cannot read baseline", error.Message, StringComparison.Ordinal);
    }
}
