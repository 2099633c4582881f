using HogGuard.Keys;
using HogGuard.Policy;
using HogGuard.SecretStores;

namespace HogGuard.Tests.Policy;

public sealed class PolicyUnitTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("hogguard-policy-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Theory]
    [InlineData(new[] { "insight:read" }, new[] { "insight:read" }, new string[0])]
    [InlineData(new[] { "insight:read" }, new[] { "insight:write" }, new string[0])]
    [InlineData(new[] { "insight:write" }, new[] { "insight:read" }, new[] { "insight:write" })]
    [InlineData(new[] { "insight:read", "query:read" }, new[] { "insight:read" }, new[] { "query:read" })]
    [InlineData(new[] { "anything:write" }, new[] { "*" }, new string[0])]
    public void Extra_WriteCoversReadButNotTheOtherWay(string[] held, string[] allowed, string[] extra)
    {
        Assert.Equal(extra, ScopeSet.Of(held).Beyond(ScopeSet.Of(allowed)));
    }

    [Theory]
    [InlineData("env:POSTHOG_KEY", "env", "POSTHOG_KEY", null)]
    [InlineData("dotenv:.env.production#KEY", "dotenv", ".env.production", "KEY")]
    [InlineData("user-secrets:abc-123#PostHog:Key", "user-secrets", "abc-123", "PostHog:Key")]
    [InlineData("json:config/app.json#PostHog:Reader:Key", "json", "config/app.json", "PostHog:Reader:Key")]
    public void KeySource_ValidForms_Parse(string text, string scheme, string location, string? name)
    {
        Assert.True(KeySource.TryParse(text, out var source, out _));
        Assert.Equal(new KeySource(scheme, location, name), source);
        Assert.Equal(text, source.ToString());
    }

    [Theory]
    [InlineData("vault:secret/x")]
    [InlineData("env:")]
    [InlineData("dotenv:.env")]
    [InlineData("json:#Key")]
    [InlineData("POSTHOG_KEY")]
    public void KeySource_InvalidForms_AreRefusedWithTheForms(string text)
    {
        Assert.False(KeySource.TryParse(text, out _, out var error));
        Assert.Contains("env:NAME, dotenv:PATH#NAME", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Reader_Dotenv_HandlesExportQuotesAndComments()
    {
        File.WriteAllText(Path.Combine(_folder, ".env"), "# comment\nexport A=\"quoted # not a comment\"\nB=plain # trailing comment\nC='single'\nAB=other\n");
        var reader = new KeySourceReader(_folder, _ => null);

        Assert.Equal("quoted # not a comment", reader.Read(new KeySource("dotenv", ".env", "A")).Value);
        Assert.Equal("plain", reader.Read(new KeySource("dotenv", ".env", "B")).Value);
        Assert.Equal("single", reader.Read(new KeySource("dotenv", ".env", "C")).Value);
        Assert.Contains("is not set", reader.Read(new KeySource("dotenv", ".env", "D")).Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Reader_JsonNestedFlatAndUserSecrets_AreRead()
    {
        File.WriteAllText(Path.Combine(_folder, "app.json"), "{ // comment\n \"PostHog\": { \"reader\": { \"Key\": \"nested\" } }, \"Flat:Key\": \"flat\", }");
        Directory.CreateDirectory(Path.Combine(_folder, "secrets", "id-1"));
        File.WriteAllText(Path.Combine(_folder, "secrets", "id-1", "secrets.json"), "{ \"PostHog:Key\": \"from-user-secrets\" }");
        var reader = new KeySourceReader(_folder, _ => null, Path.Combine(_folder, "secrets"));

        Assert.Equal("nested", reader.Read(new KeySource("json", "app.json", "PostHog:Reader:Key")).Value);
        Assert.Equal("flat", reader.Read(new KeySource("json", "app.json", "Flat:Key")).Value);
        Assert.Equal("from-user-secrets", reader.Read(new KeySource("user-secrets", "id-1", "PostHog:Key")).Value);
    }

    [Fact]
    public void Reader_MissingOrMalformedFiles_AreProblemsNotExceptions()
    {
        File.WriteAllText(Path.Combine(_folder, "bad.json"), "{ not json");
        var reader = new KeySourceReader(_folder, name => name == "SET" ? "value" : null);

        Assert.Equal("value", reader.Read(new KeySource("env", "SET", null)).Value);
        Assert.Contains("env:UNSET is not set", reader.Read(new KeySource("env", "UNSET", null)).Problem, StringComparison.Ordinal);
        Assert.Contains("cannot be read", reader.Read(new KeySource("dotenv", "missing.env", "A")).Problem, StringComparison.Ordinal);
        Assert.Contains("cannot be read", reader.Read(new KeySource("json", "bad.json", "A")).Problem, StringComparison.Ordinal);
    }
}
