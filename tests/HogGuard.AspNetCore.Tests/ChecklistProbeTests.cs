using HogGuard.Checklist;
using HogGuard.Webhooks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace HogGuard.AspNetCore.Tests;

/// <summary>Checklist item 5 with <c>--probe</c>: real deliveries over loopback to a verifying and to a careless endpoint.</summary>
public sealed class ChecklistProbeTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("hogguard-check-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static async Task<(WebApplication App, Uri Url)> StartAsync(bool verify)
    {
        var builder = WebApplication.CreateSlimBuilder(["--urls", "http://127.0.0.1:0"]);
        builder.Logging.ClearProviders();
        builder.Services.AddPostHogWebhooks("posthog", o => o.Secrets.Add(new PostHogWebhookSecret { Id = "k", Secret = WebhookKey.NewStandardSecret() }));
        var app = builder.Build();
        var endpoint = app.MapPost("/hooks", () => Results.Ok());
        if (verify)
        {
            endpoint.RequirePostHogSignature("posthog");
        }

        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return (app, new Uri(address + "/hooks"));
    }

    private async Task<CheckItem> ProbeAsync(Uri url)
    {
        using var http = new HttpClient();
        var items = await new SecurityChecklist(http).RunAsync(new ChecklistOptions { Path = _dir, Probe = url });
        return Assert.Single(items, i => i.Id == "webhook-signatures");
    }

    [Fact]
    public async Task Probe_AVerifyingEndpoint_Passes()
    {
        var (app, url) = await StartAsync(verify: true);
        await using var _ = app;

        var item = await ProbeAsync(url);

        Assert.True(item.Status == CheckStatus.Pass, string.Join("\n", item.Evidence));
        Assert.Contains(item.Evidence, e => e.Contains("an unsigned delivery got 401", StringComparison.Ordinal));
        Assert.Contains(item.Evidence, e => e.Contains("a wrongly signed delivery got 401", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Probe_AnEndpointThatAcceptsAnything_Fails()
    {
        var (app, url) = await StartAsync(verify: false);
        await using var _ = app;

        var item = await ProbeAsync(url);

        Assert.Equal(CheckStatus.Fail, item.Status);
        Assert.Contains(item.Evidence, e => e.Contains("an unsigned delivery got 200, not 401", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Probe_NothingListening_FailsNamingIt()
    {
        var item = await ProbeAsync(new Uri("http://127.0.0.1:9/hooks"));

        Assert.Equal(CheckStatus.Fail, item.Status);
        Assert.Contains(item.Evidence, e => e.Contains("no answer", StringComparison.Ordinal));
    }
}
