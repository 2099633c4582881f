using HogGuard.AspNetCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

// Extensions live in the namespace users already import, so they find them.
namespace Microsoft.Extensions.DependencyInjection;

/// <summary><c>services.AddPostHogWebhooks(name, ...)</c>.</summary>
public static class PostHogWebhookServiceCollectionExtensions
{
    /// <summary>
    /// Adds a named PostHog webhook receiver; its options are validated at start-up. The shared
    /// services are registered once however often it is called; configure delegates for one name
    /// compose, as <c>Configure</c> does.
    /// </summary>
    public static IServiceCollection AddPostHogWebhooks(this IServiceCollection services, string name, Action<PostHogWebhookOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<PostHogWebhookOptions>(name).Configure(configure).ValidateOnStart();
        return AddCore(services);
    }

    /// <summary>
    /// Adds a named receiver bound from a configuration section (Scheme, Tolerance, MaxBodyBytes,
    /// HandledRetention, PreviousSecretOverlap, UseDistributedCache, TimestampHeader, SignatureHeader,
    /// Secrets:[{Id,Secret,NotBefore,NotAfter}]). A value that does not parse stops the start,
    /// naming the setting. The receiver follows the section: a reload that validates takes effect for
    /// the next delivery (a dropped secret stays accepted for PreviousSecretOverlap); one that does not
    /// is logged and the last valid keyring stays.
    /// </summary>
    public static IServiceCollection AddPostHogWebhooks(this IServiceCollection services, string name, IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(section);
        ArgumentNullException.ThrowIfNull(services);
        // Follow the section: a reload (JSON with reloadOnChange, user secrets, AddDotEnvFile) reaches the keyring.
        services.AddSingleton<IOptionsChangeTokenSource<PostHogWebhookOptions>>(new ConfigurationChangeTokenSource<PostHogWebhookOptions>(name, section));
        return services.AddPostHogWebhooks(name, options => options.ReadFrom(section));
    }

    private static IServiceCollection AddCore(IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<PostHogWebhookRegistry>();
        services.AddLastValidOptions(new PostHogWebhookOptionsValidator());
        return services;
    }
}
