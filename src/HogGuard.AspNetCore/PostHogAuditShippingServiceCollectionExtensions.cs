using HogGuard.AspNetCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary><c>services.AddPostHogAuditShipping()</c>.</summary>
public static class PostHogAuditShippingServiceCollectionExtensions
{
    /// <summary>
    /// Ships the audit log registered by <c>AddPostHogAuditLog</c> to the PostHog of
    /// <c>AddPostHogSecurity</c> every <paramref name="interval"/> (default 10 s), in the background.
    /// Calling it again with the same interval changes nothing.
    /// </summary>
    /// <exception cref="InvalidOperationException">It was already called with another interval.</exception>
    public static IServiceCollection AddPostHogAuditShipping(this IServiceCollection services, TimeSpan? interval = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var every = interval ?? TimeSpan.FromSeconds(10);
        if (every <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(interval), every, "the shipping interval must be above 0");
        }

        if (services.FirstOrDefault(d => d.ServiceType == typeof(AuditShippingRegistration))?.ImplementationInstance is AuditShippingRegistration existing)
        {
            return existing.Interval == every
                ? services
                : throw new InvalidOperationException($"AddPostHogAuditShipping was already called with an interval of {existing.Interval}; call it once");
        }

        services.AddSingleton(new AuditShippingRegistration(every));
        services.AddHostedService(provider => new PostHogAuditShippingService(
            provider.GetRequiredService<IOptions<PostHogAuditLogOptions>>(),
            provider.GetRequiredService<IOptions<PostHogSecurityOptions>>(),
            provider.GetRequiredService<PostHogClientSource>(),
            provider.GetRequiredService<TimeProvider>(),
            every,
            provider.GetRequiredService<ILogger<PostHogAuditShippingService>>()));
        return services;
    }

    /// <summary>Marks the collection as shipping, and how often.</summary>
    private sealed record AuditShippingRegistration(TimeSpan Interval);
}
