namespace HogGuard.Webhooks;

/// <summary>The verdict on a delivery. Everything but <see cref="Valid"/> must be refused.</summary>
public enum WebhookVerificationStatus
{
    /// <summary>Signed by a key of the keyring, on time, not seen before.</summary>
    Valid,

    /// <summary>A required header is absent or empty.</summary>
    MissingHeader,

    /// <summary>A header is too long, not a number, a millisecond timestamp, or holds no well-formed signature.</summary>
    MalformedHeader,

    /// <summary>The timestamp is further from now than the tolerance.</summary>
    TimestampOutsideTolerance,

    /// <summary>This message id was accepted before, within the replay window.</summary>
    Replayed,

    /// <summary>Well-formed, but no signature matches any key valid at the delivery's timestamp.</summary>
    NoMatchingSignature,

    /// <summary>No secret is configured: every delivery is refused (fail closed).</summary>
    NoSecretConfigured,
}

/// <summary>The verdict and, when valid, which key matched.</summary>
public readonly record struct WebhookVerificationResult(WebhookVerificationStatus Status, string? KeyId = null)
{
    /// <summary>The delivery is genuine and new.</summary>
    public bool IsValid => Status == WebhookVerificationStatus.Valid;
}
