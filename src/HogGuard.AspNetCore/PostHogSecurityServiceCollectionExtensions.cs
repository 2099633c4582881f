using HogGuard.Keys;
using HogGuard.PostHogApi;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace HogGuard.AspNetCore;

/// <summary><c>services.AddPostHogSecurity(configuration)</c>: validated PostHog settings, reader and writer clients, capture, a health check.</summary>
public static class PostHogSecurityServiceCollectionExtensions
{
    /// <summary>The health check's registration name.</summary>
    public const string HealthCheckName = "posthog-keys";

    /// <summary>
    /// Binds the <c>PostHog</c> section (ProjectToken, ReaderKey, WriterKey, SecretKey, Host,
    /// ReaderScopes, WriterScopes, MaxKeyAgeDays), validates it at start-up, and registers
    /// <see cref="PostHogApiClient"/> keyed <see cref="PostHogRoles.Reader"/> and
    /// <see cref="PostHogRoles.Writer"/>, <see cref="PostHogCaptureClient"/> and the
    /// <c>posthog-keys</c> health check.
    /// </summary>
    public static IServiceCollection AddPostHogSecurity(this IServiceCollection services, IConfiguration configuration, string sectionName = "PostHog")
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(sectionName);
        services.AddOptions<PostHogSecurityOptions>().Configure(o => o.ReadFrom(section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<PostHogSecurityOptions>>(new PostHogSecurityOptionsValidator(sectionName));
        services.TryAddSingleton(TimeProvider.System);
        // Never follow a redirect: a key must not travel to the Location a login page names.
        services.AddHttpClient("HogGuard.PostHog", http => http.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(2) });
        services.TryAddSingleton(provider => new PostHogClient(provider.GetRequiredService<IHttpClientFactory>().CreateClient("HogGuard.PostHog"), time: provider.GetRequiredService<TimeProvider>()));
        services.AddKeyedSingleton(PostHogRoles.Reader, (provider, _) => CreateClient(provider, PostHogRoles.Reader, sectionName));
        services.AddKeyedSingleton(PostHogRoles.Writer, (provider, _) => CreateClient(provider, PostHogRoles.Writer, sectionName));
        services.TryAddSingleton(provider =>
        {
            var o = provider.GetRequiredService<IOptions<PostHogSecurityOptions>>().Value;
            var token = o.ProjectToken ?? throw new InvalidOperationException($"{sectionName}:ProjectToken is not set; the capture client needs the phc_ project token");
            return new CaptureTransport(provider.GetRequiredService<PostHogClient>(), o.Endpoint().Ingestion, token.Trim());
        });
        services.TryAddSingleton(provider => new PostHogCaptureClient(provider.GetRequiredService<CaptureTransport>(), provider.GetRequiredService<TimeProvider>()));
        services.AddHostedService(provider => new PostHogScopeWarmUp(provider));
        services.AddHealthChecks().Add(new HealthCheckRegistration(
            HealthCheckName,
            provider => new PostHogKeysHealthCheck(provider.GetRequiredService<PostHogClient>(), provider.GetRequiredService<IOptions<PostHogSecurityOptions>>(), provider.GetRequiredService<TimeProvider>()),
            HealthStatus.Unhealthy,
            ["posthog"]));
        return services;
    }

    private static PostHogApiClient CreateClient(IServiceProvider provider, string role, string sectionName)
    {
        var o = provider.GetRequiredService<IOptions<PostHogSecurityOptions>>().Value;
        var (value, scopes, setting) = role == PostHogRoles.Reader ? (o.ReaderKey, o.ReaderScopes, "ReaderKey") : (o.WriterKey, o.WriterScopes, "WriterKey");
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new InvalidOperationException($"{sectionName}:{setting} is not set; the {role} client needs a phx_ personal API key");
        }

        return new PostHogApiClient(role, provider.GetRequiredService<PostHogClient>(), o.Endpoint().App, new PostHogSecret(value.Trim()), scopes);
    }
}

/// <summary>Introspects the reader's and writer's scopes once at start, so the first request does not wait; a failure is logged and retried on first use.</summary>
internal sealed partial class PostHogScopeWarmUp(IServiceProvider provider) : Microsoft.Extensions.Hosting.IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var logger = provider.GetRequiredService<Microsoft.Extensions.Logging.ILogger<PostHogScopeWarmUp>>();
        var options = provider.GetRequiredService<IOptions<PostHogSecurityOptions>>().Value;
        foreach (var (role, key) in new[] { (PostHogRoles.Reader, options.ReaderKey), (PostHogRoles.Writer, options.WriterKey) })
        {
            if (string.IsNullOrWhiteSpace(key))
            {
                continue;
            }

            try
            {
                await provider.GetRequiredKeyedService<PostHogApiClient>(role).GetScopesAsync().ConfigureAwait(false);
            }
            catch (InvalidOperationException e)
            {
                LogWarmUpFailed(logger, role, e.Message);
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [Microsoft.Extensions.Logging.LoggerMessage(EventId = 5101, Level = Microsoft.Extensions.Logging.LogLevel.Warning, Message = "The PostHog {Role} key's scopes could not be read at start ({Reason}); they are read again on first use")]
    private static partial void LogWarmUpFailed(Microsoft.Extensions.Logging.ILogger logger, string role, string reason);
}
