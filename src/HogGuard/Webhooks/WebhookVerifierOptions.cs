namespace HogGuard.Webhooks;

/// <summary>How deliveries are checked. Defaults follow Standard Webhooks and PostHog.</summary>
public sealed class WebhookVerifierOptions
{
    /// <summary>The signing scheme (default Standard Webhooks).</summary>
    public WebhookScheme Scheme { get; init; } = WebhookScheme.StandardWebhooks;

    /// <summary>How far a delivery's timestamp may be from now, either way (default 5 minutes).</summary>
    public TimeSpan Tolerance { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Longest accepted header value, in characters (default 4096); longer is malformed.</summary>
    public int MaxHeaderLength { get; init; } = 4096;

    /// <summary>Message id header (Standard Webhooks only).</summary>
    public string IdHeader { get; init; } = "webhook-id";

    /// <summary>Timestamp header: <c>webhook-timestamp</c>, or for the hex scheme <c>x-posthog-timestamp</c> unless set.</summary>
    public string? TimestampHeader { get; init; }

    /// <summary>Signature header: <c>webhook-signature</c>, or for the hex scheme <c>x-posthog-signature</c> unless set.</summary>
    public string? SignatureHeader { get; init; }

    /// <summary>The timestamp header read (the scheme's default unless set).</summary>
    public string EffectiveTimestampHeader => TimestampHeader ?? (Scheme == WebhookScheme.StandardWebhooks ? "webhook-timestamp" : "x-posthog-timestamp");

    /// <summary>The signature header read (the scheme's default unless set).</summary>
    public string EffectiveSignatureHeader => SignatureHeader ?? (Scheme == WebhookScheme.StandardWebhooks ? "webhook-signature" : "x-posthog-signature");
}
