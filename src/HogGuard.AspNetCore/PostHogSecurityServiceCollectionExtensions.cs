using HogGuard.AspNetCore;
using HogGuard.PostHogApi;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

// Extensions live in the namespace users already import, so they find them.
namespace Microsoft.Extensions.DependencyInjection;

/// <summary><c>services.AddPostHogSecurity(configuration)</c>: validated PostHog settings, reader and writer clients, capture, a health check.</summary>
public static class PostHogSecurityServiceCollectionExtensions
{
    /// <summary>The health check's registration name.</summary>
    public const string HealthCheckName = "posthog-keys";

    /// <summary>
    /// The health check's tag: <c>MapHealthChecks("/health", new() { Predicate = r => r.Tags.Contains(HealthCheckTag) })</c>
    /// includes it in a probe, <c>!r.Tags.Contains(HealthCheckTag)</c> leaves it out (of a liveness probe, say).
    /// </summary>
    public const string HealthCheckTag = "posthog";

    /// <summary>
    /// The named <see cref="HttpClient"/> of HogGuard's PostHog calls: add handlers or configure it with
    /// <c>services.AddHttpClient(HttpClientName)...</c>.
    /// </summary>
    public const string HttpClientName = "HogGuard.PostHog";

    /// <summary>The name of its resilience pipeline (metrics and logs of Microsoft.Extensions.Http.Resilience carry it).</summary>
    public const string ResiliencePipelineName = "posthog";

    /// <summary>
    /// Binds the <c>PostHog</c> section (ProjectToken, ReaderKey, WriterKey, SecretKey, Host,
    /// ReaderScopes, WriterScopes, MaxKeyAgeDays), validates it at start-up, and registers
    /// <see cref="PostHogApiClient"/> keyed <see cref="PostHogRoles.Reader"/> and
    /// <see cref="PostHogRoles.Writer"/>, <see cref="PostHogFeatureFlagsClient"/>, <see cref="PostHogCaptureClient"/> and the
    /// <c>posthog-keys</c> health check. Calling it again with the same section changes nothing.
    /// </summary>
    /// <exception cref="InvalidOperationException">It was already called with another section.</exception>
    public static IServiceCollection AddPostHogSecurity(this IServiceCollection services, IConfiguration configuration, string sectionName = "PostHog")
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        if (services.FirstOrDefault(d => d.ServiceType == typeof(PostHogSecurityRegistration))?.ImplementationInstance is PostHogSecurityRegistration existing)
        {
            return existing.SectionName == sectionName
                ? services
                : throw new InvalidOperationException($"AddPostHogSecurity was already called for the section '{existing.SectionName}'; a service has one PostHog configuration, so call it once");
        }

        services.AddSingleton(new PostHogSecurityRegistration(sectionName));
        var section = configuration.GetSection(sectionName);
        services.AddOptions<PostHogSecurityOptions>().Configure(o => o.ReadFrom(section)).ValidateOnStart();
        // Follow the section: a reload (JSON with reloadOnChange, user secrets, AddDotEnvFile) reaches the clients.
        services.AddSingleton<IOptionsChangeTokenSource<PostHogSecurityOptions>>(new ConfigurationChangeTokenSource<PostHogSecurityOptions>(section));
        services.AddLastValidOptions(new PostHogSecurityOptionsValidator(sectionName));
        services.TryAddSingleton(TimeProvider.System);
        // The named client HogGuard's PostHog calls go through: never following a redirect (a key must
        // not travel to the Location a login page names), connections renewed every 2 minutes, and the
        // resilience policy as a standard resilience handler (Microsoft.Extensions.Http.Resilience).
        // PostHogClientOptions registered before this call tune it; PostHogClient resolves as a typed client.
        services.TryAddSingleton(new PostHogClientOptions());
        services.AddHttpClient(HttpClientName, http => http.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(2) })
            .AddResilienceHandler(ResiliencePipelineName, (pipeline, context) => pipeline.AddPostHogStrategies(
                context.ServiceProvider.GetRequiredService<PostHogClientOptions>(), context.ServiceProvider.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<PostHogClientSource>();
        services.TryAddTransient(provider => provider.GetRequiredService<PostHogClientSource>().Get());
        services.TryAddKeyedSingleton(PostHogRoles.Reader, (provider, _) => CreateClient(provider, PostHogRoles.Reader, sectionName));
        services.TryAddKeyedSingleton(PostHogRoles.Writer, (provider, _) => CreateClient(provider, PostHogRoles.Writer, sectionName));
        services.TryAddSingleton(provider =>
        {
            var o = provider.GetRequiredService<IOptions<PostHogSecurityOptions>>().Value;
            var token = o.ProjectToken ?? throw new InvalidOperationException($"{sectionName}:ProjectToken is not set; the capture client needs the phc_ project token");
            var clients = provider.GetRequiredService<PostHogClientSource>();
            return new CaptureTransport(clients.Get, o.Endpoint().Ingestion, token.Trim());
        });
        services.TryAddSingleton(provider => new PostHogFeatureFlagsClient(provider.GetRequiredService<PostHogClientSource>(), provider.GetRequiredService<LastValidOptions<PostHogSecurityOptions>>(), sectionName));
        services.TryAddSingleton(provider => new PostHogCaptureClient(provider.GetRequiredService<CaptureTransport>(), provider.GetRequiredService<TimeProvider>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, PostHogScopeWarmUp>());
        services.TryAddSingleton<PostHogKeysProbe>();
        services.TryAddSingleton<PostHogKeysHealthCache>();
        services.AddHealthChecks().Add(new HealthCheckRegistration(
            HealthCheckName,
            provider => provider.GetRequiredService<PostHogKeysHealthCache>(),
            HealthStatus.Unhealthy,
            [HealthCheckTag]));
        return services;
    }

    private static PostHogApiClient CreateClient(IServiceProvider provider, string role, string sectionName) =>
        new(role, provider.GetRequiredService<PostHogClientSource>(), provider.GetRequiredService<LastValidOptions<PostHogSecurityOptions>>(), sectionName);

    /// <summary>Marks the collection as set up, and for which section.</summary>
    private sealed record PostHogSecurityRegistration(string SectionName);
}
