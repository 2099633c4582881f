using HogGuard.AspNetCore;
using HogGuard.Audit;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary><c>services.AddPostHogAuditLog(...)</c>.</summary>
public static class PostHogAuditLogServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="IAuditLog"/> (a <see cref="FileAuditLog"/>), validated at start-up; optionally
    /// mirrored to ILogger. The services are registered once however often it is called; configure
    /// delegates compose, as <c>Configure</c> does.
    /// </summary>
    public static IServiceCollection AddPostHogAuditLog(this IServiceCollection services, Action<PostHogAuditLogOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<PostHogAuditLogOptions>().Configure(configure);
        if (services.Any(d => d.ServiceType == typeof(IValidateOptions<PostHogAuditLogOptions>)))
        {
            return services;
        }

        options
            .Validate(o => !string.IsNullOrWhiteSpace(o.Directory), "The audit log needs a Directory.")
            .Validate(o => o.CheckpointKey is null || IsBase64(o.CheckpointKey), "The audit CheckpointKey must be base64.")
            .Validate(o => o.MaxSegmentBytes > 0, "The audit log's MaxSegmentBytes must be above 0.")
            .ValidateOnStart();
        services.TryAddSingleton(provider =>
        {
            var o = provider.GetRequiredService<IOptions<PostHogAuditLogOptions>>().Value;
            return new FileAuditLog(
                new AuditLogOptions
                {
                    Directory = o.Directory!,
                    Durability = o.Durability,
                    MaxSegmentBytes = o.MaxSegmentBytes,
                    CheckpointKey = o.CheckpointKey is null ? null : Convert.FromBase64String(o.CheckpointKey),
                    RedactKeys = o.RedactKeys,
                });
        });
        services.TryAddSingleton<IAuditLog>(provider =>
        {
            var log = provider.GetRequiredService<FileAuditLog>();
            return provider.GetRequiredService<IOptions<PostHogAuditLogOptions>>().Value.MirrorToLogger
                ? new LoggingAuditLog(log, provider.GetRequiredService<ILoggerFactory>().CreateLogger("HogGuard.Audit"))
                : log;
        });
        return services;
    }

    private static bool IsBase64(string text) => Convert.TryFromBase64String(text, new byte[text.Length], out _);
}
