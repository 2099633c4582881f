namespace HogGuard.Webhooks;

/// <summary>How a delivery is signed.</summary>
public enum WebhookScheme
{
    /// <summary>
    /// Standard Webhooks, as PostHog's HTTP webhook destination signs: headers <c>webhook-id</c>,
    /// <c>webhook-timestamp</c> and <c>webhook-signature</c> (<c>v1,&lt;base64&gt;</c>, several
    /// space-separated); signed content <c>{id}.{timestamp}.{body}</c>; the key is the base64 part of
    /// a <c>whsec_</c> secret.
    /// </summary>
    StandardWebhooks,

    /// <summary>
    /// Signed in Hog code: <c>hex(HMAC-SHA256(secret, "{timestamp}.{body}"))</c> with the secret's
    /// UTF-8 bytes as the key, in configurable headers.
    /// </summary>
    TimestampedHex,
}
