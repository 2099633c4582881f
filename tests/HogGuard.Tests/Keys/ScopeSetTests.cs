using HogGuard.Keys;

namespace HogGuard.Tests.Keys;

/// <summary>PostHog's scope rules (posthog/permissions.py, APIScopePermission): * and write-covers-read.</summary>
public sealed class ScopeSetTests
{
    [Theory]
    [InlineData(new[] { "insight:read" }, "insight:read", true)]
    [InlineData(new[] { "insight:write" }, "insight:read", true)]
    [InlineData(new[] { "insight:read" }, "insight:write", false)]
    [InlineData(new[] { "*" }, "anything:write", true)]
    [InlineData(new[] { "insight:write" }, "query:read", false)]
    [InlineData(new string[0], "insight:read", false)]
    [InlineData(new[] { "Insight:read" }, "insight:read", false)]
    [InlineData(new[] { "read" }, ":read", false)]
    public void Allows_FollowsPostHogsRules(string[] held, string needed, bool allowed)
    {
        Assert.Equal(allowed, ScopeSet.Of(held).Allows(needed));
    }

    [Fact]
    public void FirstWrite_NamesTheOrdinalFirstWritingScope()
    {
        Assert.Equal("dashboard:write", ScopeSet.Of(["query:read", "insight:write", "dashboard:write"]).FirstWrite);
        Assert.Equal("*", ScopeSet.Of(["query:read", "*"]).FirstWrite);
        Assert.Null(ScopeSet.Of(["query:read", "insight:read"]).FirstWrite);
        Assert.False(ScopeSet.Empty.CanWrite);
    }

    [Fact]
    public void SetEquals_IgnoresOrderAndDuplicatesButNotTheRules()
    {
        Assert.True(ScopeSet.Of(["b:read", "a:write", "b:read"]).SetEquals(ScopeSet.Of(["a:write", "b:read"])));
        Assert.False(ScopeSet.Of(["a:write"]).SetEquals(ScopeSet.Of(["a:write", "a:read"])));
        Assert.Equal("a:write, b:read", ScopeSet.Of(["b:read", "a:write"]).ToString());
    }

    [Theory]
    [InlineData("GET", "/api/projects/1/insights/", "insight:read")]
    [InlineData("POST", "/api/projects/1/insights/", "insight:write")]
    [InlineData("GET", "/api/environments/@current/feature_flags/7?limit=1", "feature_flag:read")]
    [InlineData("POST", "/api/projects/1/query/", "query:read")]
    [InlineData("DELETE", "/api/projects/1/query/abc/", "query:read")]
    [InlineData("DELETE", "/api/projects/1/project_secret_api_keys/x/", "project:write")]
    [InlineData("GET", "/api/projects/1/unknown_things/", null)]
    [InlineData("GET", "/api/users/@me/", null)]
    public void Required_MapsPathAndMethodToAScope(string method, string path, string? scope)
    {
        Assert.Equal(scope, ScopeSet.Required(new HttpMethod(method), path));
    }
}
