using HogGuard.Testing;
using PublicApiGenerator;

namespace HogGuard.AspNetCore.Tests;

/// <summary>The public API of HogGuard.AspNetCore, approved in the repository (see <see cref="Snapshot"/>).</summary>
public sealed class PublicApiTests
{
    [Fact]
    public void HogGuardAspNetCore_PublicApi_IsApproved()
    {
        var api = typeof(PostHogSecurityOptions).Assembly.GeneratePublicApi(new ApiGeneratorOptions
        {
            ExcludeAttributes = ["System.Runtime.Versioning.TargetFrameworkAttribute"],
            AllowNamespacePrefixes = ["Microsoft.Extensions.DependencyInjection", "Microsoft.AspNetCore.Builder"],
        });
        Snapshot.Match("HogGuard.AspNetCore.approved.txt", api);
    }
}
