using HogGuard.AspNetCore;
using Microsoft.AspNetCore.Http;

namespace Microsoft.AspNetCore.Builder;

/// <summary><c>.RequirePostHogSignature(name)</c> on an endpoint.</summary>
public static class PostHogWebhookEndpointExtensions
{
    /// <summary>Only verified PostHog deliveries reach this endpoint; read them with <c>HttpContext.GetPostHogWebhook()</c>.</summary>
    public static TBuilder RequirePostHogSignature<TBuilder>(this TBuilder builder, string name)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddEndpointFilter(new PostHogSignatureFilter(name));
        return builder;
    }
}
