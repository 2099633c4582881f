using HogGuard.Keys;
using HogGuard.Testing;
using PublicApiGenerator;

namespace HogGuard.Tests;

/// <summary>
/// The public API of HogGuard.Core, approved in the repository: a change to it shows up here as a
/// diff to review (and to note in the changelog), never by accident.
/// </summary>
public sealed class PublicApiTests
{
    [Fact]
    public void HogGuardCore_PublicApi_IsApproved()
    {
        var api = typeof(ScopeSet).Assembly.GeneratePublicApi(new ApiGeneratorOptions { ExcludeAttributes = ["System.Runtime.Versioning.TargetFrameworkAttribute"] });
        Snapshot.Match("HogGuard.Core.approved.txt", api);
    }
}
