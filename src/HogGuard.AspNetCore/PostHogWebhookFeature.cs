namespace HogGuard.AspNetCore;

/// <summary>A verified delivery: its exact body bytes and the key that signed it.</summary>
public sealed record PostHogWebhookDelivery(ReadOnlyMemory<byte> Body, string? MessageId, string KeyId);

/// <summary>Reads the verified delivery in an endpoint that requires a PostHog signature.</summary>
public static class PostHogWebhookHttpContextExtensions
{
    internal static readonly object ItemKey = new();

    /// <summary>The verified delivery; throws when the endpoint lacks <c>.RequirePostHogSignature()</c>.</summary>
    public static PostHogWebhookDelivery GetPostHogWebhook(this Microsoft.AspNetCore.Http.HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Items.TryGetValue(ItemKey, out var value) && value is PostHogWebhookDelivery delivery
            ? delivery
            : throw new InvalidOperationException("No verified PostHog webhook here: add .RequirePostHogSignature(name) to the endpoint.");
    }
}
