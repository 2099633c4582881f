using HogGuard.PostHogApi;

namespace HogGuard.AspNetCore;

/// <summary>
/// A <see cref="PostHogClient"/> over a fresh <see cref="HttpClient"/> from <see cref="IHttpClientFactory"/>
/// for each use, so HogGuard's long-lived services (the reader and writer clients, capture, the health
/// probe, audit shipping) get rotated handlers. The resilience policy lives in the named client's
/// handler chain (<see cref="PostHogResilience.AddPostHogStrategies"/>), so the client sends once.
/// </summary>
internal sealed class PostHogClientSource(IHttpClientFactory factory, PostHogClientOptions options, TimeProvider time)
{
    private readonly PostHogClientOptions _options = options with { ResilienceInHttpClient = true };

    public PostHogClient Get() => Create(factory.CreateClient(Microsoft.Extensions.DependencyInjection.PostHogSecurityServiceCollectionExtensions.HttpClientName));

    public PostHogClient Create(HttpClient http) => new(http, _options, time);
}
