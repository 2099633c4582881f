using HogGuard.PostHogApi;
using HogGuard.Testing;
using HogGuard.Webhooks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace HogGuard.AspNetCore.Tests;

/// <summary>Registration is idempotent, and a configuration value that does not parse stops the start naming its setting.</summary>
public sealed class RegistrationTests
{
    private static readonly Random Random = new(2027);

    private static IConfiguration Configuration(Dictionary<string, string?> settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings).Build();

    [Fact]
    public void AddPostHogSecurity_CalledTwice_RegistersEverythingOnce()
    {
        var configuration = Configuration(new() { ["PostHog:ReaderKey"] = TestTokens.Make("phx_", base57: true, Random) });
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddPostHogSecurity(configuration);
        var count = services.Count;
        services.AddPostHogSecurity(configuration);

        Assert.Equal(count, services.Count);
        using var provider = services.BuildServiceProvider();
        Assert.Single(provider.GetServices<IValidateOptions<PostHogSecurityOptions>>());
        Assert.Single(provider.GetServices<IHostedService>(), s => s.GetType().Name == "PostHogScopeWarmUp");
        Assert.Single(provider.GetRequiredService<IOptions<HealthCheckServiceOptions>>().Value.Registrations);
        Assert.NotNull(provider.GetRequiredKeyedService<PostHogApiClient>(PostHogRoles.Reader));
    }

    [Fact]
    public void AddPostHogSecurity_AgainWithAnotherSection_SaysItWasCalledAlready()
    {
        var services = new ServiceCollection();
        services.AddPostHogSecurity(Configuration([]));

        var error = Assert.Throws<InvalidOperationException>(() => services.AddPostHogSecurity(Configuration([]), "Other"));

        Assert.Contains("already called for the section 'PostHog'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("MaxKeyAgeDays", "ninety", "PostHog:MaxKeyAgeDays is not a whole number of days")]
    [InlineData("MaxKeyAgeDays", "9999999999999", "PostHog:MaxKeyAgeDays is not a whole number of days")]
    public void AddPostHogSecurity_UnparsableValue_StopsTheStartNamingTheSetting(string key, string value, string expected)
    {
        var services = new ServiceCollection();
        services.AddPostHogSecurity(Configuration(new() { [$"PostHog:{key}"] = value }));
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<PostHogSecurityOptions>>().Value);

        Assert.Contains(expected, string.Join("\n", error.Failures), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Tolerance", "5 minutes", "PostHog:Webhooks:Tolerance is not a duration")]
    [InlineData("Scheme", "hexadecimal", "PostHog:Webhooks:Scheme is not one of StandardWebhooks, TimestampedHex")]
    [InlineData("Scheme", "1", "PostHog:Webhooks:Scheme is not one of")]
    [InlineData("MaxBodyBytes", "1MB", "PostHog:Webhooks:MaxBodyBytes is not a whole number of bytes")]
    [InlineData("UseDistributedCache", "yes", "PostHog:Webhooks:UseDistributedCache is not true or false")]
    [InlineData("Secrets:0:NotAfter", "next tuesday", "PostHog:Webhooks:Secrets:0:NotAfter is not a date and time")]
    public void AddPostHogWebhooks_UnparsableValue_StopsTheStartNamingTheSetting(string key, string value, string expected)
    {
        var settings = new Dictionary<string, string?>
        {
            ["PostHog:Webhooks:Secrets:0:Id"] = "current",
            ["PostHog:Webhooks:Secrets:0:Secret"] = "a shared secret of at least 24 bytes",
            ["PostHog:Webhooks:Scheme"] = "TimestampedHex",
            [$"PostHog:Webhooks:{key}"] = value,
        };
        var services = new ServiceCollection();
        services.AddPostHogWebhooks("posthog", Configuration(settings).GetSection("PostHog:Webhooks"));
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptionsMonitor<PostHogWebhookOptions>>().Get("posthog"));

        Assert.Contains(expected, string.Join("\n", error.Failures), StringComparison.Ordinal);
    }

    [Fact]
    public void AddPostHogWebhooks_TwoSecretsWithOneId_AreRefused()
    {
        var services = new ServiceCollection();
        services.AddPostHogWebhooks("posthog", o =>
        {
            o.Scheme = WebhookScheme.TimestampedHex;
            o.Secrets.Add(new PostHogWebhookSecret { Id = "a", Secret = "a shared secret of at least 24 bytes" });
            o.Secrets.Add(new PostHogWebhookSecret { Id = "a", Secret = "another secret of at least 24 bytes" });
        });
        services.AddPostHogWebhooks("posthog", _ => { });
        using var provider = services.BuildServiceProvider();

        Assert.Single(provider.GetServices<IValidateOptions<PostHogWebhookOptions>>());
        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptionsMonitor<PostHogWebhookOptions>>().Get("posthog"));
        Assert.Contains("2 secrets with the id 'a'", string.Join("\n", error.Failures), StringComparison.Ordinal);
    }

    [Fact]
    public void AddPostHogAuditLog_CalledTwice_ValidatesOnce()
    {
        var services = new ServiceCollection();
        services.AddPostHogAuditLog(o => o.MaxSegmentBytes = 0);
        services.AddPostHogAuditLog(o => o.Directory = "/tmp/never-created");
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<PostHogAuditLogOptions>>().Value);

        Assert.Equal(["The audit log's MaxSegmentBytes must be above 0."], error.Failures);
    }

    [Theory]
    [InlineData(-1, "MaxRetries")]
    [InlineData(11, "MaxRetries")]
    public void PostHogClientOptions_OutOfRange_AreRefusedNamingTheOption(int retries, string name)
    {
        using var http = new HttpClient();

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new PostHogClient(http, new PostHogClientOptions { MaxRetries = retries }));

        Assert.Equal(name, error.ParamName);
        Assert.Contains("between 0 and 10", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PostHogClientOptions_ZeroRetriesAndZeroTimeout_OneWorksTheOtherIsRefused()
    {
        using var http = new HttpClient();

        _ = new PostHogClient(http, new PostHogClientOptions { MaxRetries = 0 });
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new PostHogClient(http, new PostHogClientOptions { AttemptTimeout = TimeSpan.Zero }));

        Assert.Equal("AttemptTimeout", error.ParamName);
    }
}
