using HogGuard.Configuration;
using HogGuard.IO;

namespace HogGuard.Tests.Configuration;

public sealed class HogGuardConfigTests
{
    [Fact]
    public void Parse_ScanSection_ReadsAllowPathsAndSize()
    {
        var config = HogGuardConfig.Parse("scan:\n  allow_paths:\n    - \"tests/**/Fixtures/**\"\n    - docs/\n  max_file_size: 5MB\n", "hogguard.yml");
        Assert.Equal(2, config.AllowPaths.Count);
        Assert.Equal(5L * 1024 * 1024, config.MaxFileSize);
        Assert.True(PathGlob.AnyMatch(config.AllowPaths, "tests/Cli/Fixtures/a.env"));
        Assert.True(PathGlob.AnyMatch(config.AllowPaths, "docs/guide/setup.md"));
        Assert.False(PathGlob.AnyMatch(config.AllowPaths, "src/docs.cs"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("# only a comment\n")]
    [InlineData("scan:\n")]
    public void Parse_EmptyFile_GivesDefaults(string text)
    {
        var config = HogGuardConfig.Parse(text, "hogguard.yml");
        Assert.Empty(config.AllowPaths);
        Assert.Equal(HogGuardConfig.DefaultMaxFileSize, config.MaxFileSize);
    }

    [Theory]
    [InlineData("scan:\n  allow_path: [a]\n", "hogguard.yml:2:3: unknown key 'scan.allow_path'")]
    [InlineData("scan:\n  allow_paths: docs\n", "hogguard.yml:2:16: 'scan.allow_paths' must be a list")]
    [InlineData("scan:\n  max_file_size: lots\n", "hogguard.yml:2:18: 'scan.max_file_size' must be a size")]
    [InlineData("scans:\n  x: 1\n", "hogguard.yml:1:1: unknown section 'scans'")]
    [InlineData("- a\n- b\n", "hogguard.yml:1:1: the top level must be a mapping")]
    [InlineData("scan: [unclosed\n", "hogguard.yml:2:1: not valid YAML: ")]
    public void Parse_Malformed_NamesFileLineAndProblem(string text, string expected)
    {
        var error = Assert.Throws<ConfigurationException>(() => HogGuardConfig.Parse(text, "hogguard.yml"));
        Assert.StartsWith(expected, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("100MB", 100L * 1024 * 1024)]
    [InlineData("512k", 512L * 1024)]
    [InlineData("1G", 1L << 30)]
    [InlineData("4096", 4096L)]
    [InlineData(" 2 mb ", 2L * 1024 * 1024)]
    public void TryParseSize_ValidSizes_Parse(string text, long bytes)
    {
        Assert.True(HogGuardConfig.TryParseSize(text, out var parsed));
        Assert.Equal(bytes, parsed);
    }

    [Theory]
    [InlineData("")]
    [InlineData("-5MB")]
    [InlineData("0")]
    [InlineData("10 parsecs")]
    [InlineData("99999999999999999999GB")]
    public void TryParseSize_Invalid_IsRefused(string text)
    {
        Assert.False(HogGuardConfig.TryParseSize(text, out _));
    }

    public static TheoryData<string, string> HostileYaml() => new()
    {
        { new string('[', 100_000), "nested more than 64 deep" },
        { "a: &x 1\nb: [" + string.Join(", ", Enumerable.Repeat("*x", 65)) + "]\n", "more than 64 YAML aliases" },
        { "scan:\n  max_file_size: 1MB\n---\nscan:\n  max_file_size: 2MB\n", "2 YAML documents" },
        { "? [a, b]\n: 1\n", "a key must be a plain name" },
        { "scan:\n  ? [a, b]\n  : 1\n", "a key must be a plain name" },
        { "scan:\n  allow_paths:\n" + string.Concat(Enumerable.Range(0, 1001).Select(i => $"    - d{i}/**\n")), "at most 1000 are read" },
        { "scan:\n  allow_paths:\n    - \"" + new string('a', 600) + "/**\"\n", "at most 512 are read" },
    };

    [Theory]
    [MemberData(nameof(HostileYaml))]
    public void Parse_HostileYaml_IsOneConfigurationError_NeverACrash(string yaml, string expected)
    {
        var error = Assert.Throws<ConfigurationException>(() => HogGuardConfig.Parse(yaml, "hogguard.yml"));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.StartsWith("hogguard.yml:", error.Message, StringComparison.Ordinal);
    }
}
