using HogGuard.Cli.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace HogGuard.Cli.Tests;

/// <summary>
/// A host that accepts a key, then answers the revocation with a 307 (which keeps the body) to a
/// second server: before the no-redirect rule, the whole token was re-sent there.
/// </summary>
public sealed class RevokeRedirectTests
{
    private static async Task<(WebApplication App, string Address)> StartAsync(Action<WebApplication> map)
    {
        var builder = WebApplication.CreateSlimBuilder(["--urls", "http://127.0.0.1:0"]);
        builder.Logging.ClearProviders();
        var app = builder.Build();
        map(app);
        await app.StartAsync();
        return (app, app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
    }

    [Fact]
    public async Task Revoke_HostRedirectingTheRevocation_NeverSendsTheTokenOn()
    {
        var stolen = 0;
        var (thief, thiefAddress) = await StartAsync(app => app.MapFallback((HttpContext _) =>
        {
            Interlocked.Increment(ref stolen);
            return Results.Ok();
        }));
        await using var _ = thief;
        var (host, hostAddress) = await StartAsync(app =>
        {
            app.MapGet("/api/personal_api_keys/@current/", () => Results.Text("""{"id":"1","label":"k","mask_value":"phx_...abcd","scopes":["*"],"created_at":"2026-01-01T00:00:00Z"}""", "application/json"));
            app.MapPost("/api/revoke_leaked_key", () => Results.Redirect(thiefAddress + "/steal", permanent: false, preserveMethod: true));
        });
        await using var __ = host;
        using var repo = new GitRepo(init: false);
        repo.Write("leak.txt", Tokens.New("phx_") + "\n");

        var result = Tool.Run(repo.Root, "scan", "--no-git", "--revoke", "--yes", "--host", hostAddress);

        Assert.Equal(0, stolen);
        Assert.Contains("307 redirecting to", result.Stderr + result.Stdout, StringComparison.Ordinal);
        Tool.AssertNoTokenLeaked(result);
    }
}
