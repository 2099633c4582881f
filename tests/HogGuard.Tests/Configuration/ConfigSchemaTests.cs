using System.Text.RegularExpressions;
using HogGuard.Configuration;
using HogGuard.Testing;

namespace HogGuard.Tests.Configuration;

/// <summary>schemas/hogguard.schema.json agrees with the parser: what HogGuard accepts it accepts, the typos HogGuard refuses it refuses, and the README's examples are valid.</summary>
public sealed partial class ConfigSchemaTests
{
    [Theory]
    [InlineData("scan:\n  allw_paths: [a]\n")]
    [InlineData("environments:\n  prod:\n    keys:\n      - { name: r, source: \"env:R\", purpose: reeder }\n")]
    [InlineData("environments:\n  prod:\n    keys:\n      - { name: r, purpose: reader }\n")]
    [InlineData("environments:\n  prod:\n    keys:\n      - { name: r, source: \"vault:x\", purpose: reader }\n")]
    [InlineData("rotation:\n  allow_outside: maybe\n")]
    [InlineData("webhooks:\n  - { nam: posthog }\n")]
    [InlineData("colour: red\n")]
    public void ConfigTheParserRefuses_TheSchemaRefusesToo(string yaml)
    {
        Assert.Throws<ConfigurationException>(() => HogGuardConfig.Parse(yaml, "hogguard.yml"));
        Assert.NotEmpty(Schemas.ConfigProblems(yaml));
    }

    [Fact]
    public void EveryHogguardYmlExampleInTheReadme_IsAcceptedByParserAndSchema()
    {
        var readme = File.ReadAllText(Path.Combine(ProcessRunner.RepositoryRoot, "README.md"));
        var examples = YamlBlock().Matches(readme).Select(m => m.Groups[1].Value)
            .Where(y => Regex.IsMatch(y, "^(scan|environments|audit|posthog|rotation|webhooks):", RegexOptions.Multiline))
            .ToList();

        Assert.NotEmpty(examples);
        Assert.All(examples, yaml =>
        {
            HogGuardConfig.Parse(yaml, "hogguard.yml");
            var problems = Schemas.ConfigProblems(yaml);
            Assert.True(problems.Count == 0, string.Join("\n", problems) + "\n" + yaml);
        });
    }

    [Fact]
    public void ThisRepositorysOwnHogguardYml_IsValid()
    {
        var yaml = File.ReadAllText(Path.Combine(ProcessRunner.RepositoryRoot, "hogguard.yml"));

        HogGuardConfig.Parse(yaml, "hogguard.yml");
        Assert.Empty(Schemas.ConfigProblems(yaml));
    }

    [GeneratedRegex("```yaml\\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex YamlBlock();
}
