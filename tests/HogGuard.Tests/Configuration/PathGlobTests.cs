using HogGuard.IO;

namespace HogGuard.Tests.Configuration;

public sealed class PathGlobTests
{
    [Theory]
    [InlineData("*.md", "README.md", true)]
    [InlineData("*.md", "docs/deep/guide.md", true)]
    [InlineData("*.md", "docs/guide.mdx", false)]
    [InlineData("docs/*.md", "docs/a.md", true)]
    [InlineData("docs/*.md", "docs/sub/a.md", false)]
    [InlineData("docs/**/*.md", "docs/sub/deeper/a.md", true)]
    [InlineData("docs/**/*.md", "docs/a.md", true)]
    [InlineData("**/Fixtures/**", "tests/X/Fixtures/tokens.txt", true)]
    [InlineData("vendor", "vendor/lib/x.js", true)]
    [InlineData("vendor", "src/vendor/x.js", true)]
    [InlineData("vendor", "src/vendors/x.js", false)]
    [InlineData("a?c.txt", "abc.txt", true)]
    [InlineData("a?c.txt", "a/c.txt", false)]
    [InlineData("file(1).txt", "file(1).txt", true)]
    public void IsMatch_FollowsGitignoreLikeRules(string pattern, string path, bool expected)
    {
        Assert.Equal(expected, new PathGlob(pattern).IsMatch(path));
    }
}
