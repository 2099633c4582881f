using HogGuard.Webhooks;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace HogGuard.AspNetCore.Tests;

public sealed class ConfigurationAndReplayTests
{
    [Fact]
    public void AddPostHogWebhooks_FromConfiguration_BindsSchemeSecretsAndWindows()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["PostHog:Webhooks:Scheme"] = "TimestampedHex",
            ["PostHog:Webhooks:Tolerance"] = "00:02:00",
            ["PostHog:Webhooks:MaxBodyBytes"] = "2048",
            ["PostHog:Webhooks:Secrets:0:Id"] = "old",
            ["PostHog:Webhooks:Secrets:0:Secret"] = "first shared secret",
            ["PostHog:Webhooks:Secrets:0:NotAfter"] = "2026-12-01T00:00:00Z",
            ["PostHog:Webhooks:Secrets:1:Id"] = "new",
            ["PostHog:Webhooks:Secrets:1:Secret"] = "second shared secret",
        }).Build();
        var services = new ServiceCollection();
        services.AddPostHogWebhooks("posthog", configuration.GetSection("PostHog:Webhooks"));
        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptionsMonitor<PostHogWebhookOptions>>().Get("posthog");

        Assert.Equal(WebhookScheme.TimestampedHex, options.Scheme);
        Assert.Equal(TimeSpan.FromMinutes(2), options.Tolerance);
        Assert.Equal(2048, options.MaxBodyBytes);
        Assert.Equal(["old", "new"], options.Secrets.Select(s => s.Id));
        Assert.Equal(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero), options.Secrets[0].NotAfter);
        Assert.DoesNotContain("shared secret", options.Secrets[0].ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void DistributedCacheReplayStore_RemembersIdsUntilTheyExpire()
    {
        var cache = new MemoryDistributedCache(Options.Create(new MemoryDistributedCacheOptions()));
        var store = new DistributedCacheReplayStore(cache);
        var now = DateTimeOffset.UtcNow;

        Assert.True(store.TryRecord("msg_1", now.AddMinutes(5), now));
        Assert.False(store.TryRecord("msg_1", now.AddMinutes(5), now));
        Assert.True(store.TryRecord("msg_2", now.AddMinutes(5), now));
        Assert.NotNull(cache.Get("hogguard:webhook:msg_1"));
    }

    [Fact]
    public void InMemoryReplayStore_FullOfLiveIds_RefusesRatherThanForget()
    {
        var store = new InMemoryReplayStore(capacity: 2);
        var now = DateTimeOffset.UtcNow;

        Assert.True(store.TryRecord("a", now.AddMinutes(5), now));
        Assert.True(store.TryRecord("b", now.AddMinutes(5), now));
        Assert.False(store.TryRecord("c", now.AddMinutes(5), now));
        Assert.True(store.TryRecord("c", now.AddMinutes(15), now.AddMinutes(10)));
        Assert.False(store.TryRecord("c", now.AddMinutes(20), now.AddMinutes(11)));
    }
}
