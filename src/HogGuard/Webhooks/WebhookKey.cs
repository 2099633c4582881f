using System.Security.Cryptography;
using System.Text;

namespace HogGuard.Webhooks;

/// <summary>
/// One signing secret of a keyring, with an optional validity window so a secret can be rotated
/// with an overlap. Holds the key bytes only; <see cref="ToString"/> shows the id.
/// </summary>
public sealed class WebhookKey : IDisposable
{
    private readonly byte[] _key;

    private WebhookKey(string id, byte[] key, DateTimeOffset? notBefore, DateTimeOffset? notAfter)
    {
        Id = id;
        _key = key;
        NotBefore = notBefore;
        NotAfter = notAfter;
    }

    /// <summary>The key's id in the keyring.</summary>
    public string Id { get; }

    /// <summary>The key is used from this time on; null for always.</summary>
    public DateTimeOffset? NotBefore { get; }

    /// <summary>The key is used until this time; null for always.</summary>
    public DateTimeOffset? NotAfter { get; }

    internal ReadOnlySpan<byte> Bytes => _key;

    /// <summary>
    /// The fewest key bytes PostHog signs with (<c>MIN_SECRET_KEY_BYTES</c> in
    /// <c>nodejs/src/cdp/utils/standard-webhooks.ts</c>, after the Standard Webhooks spec).
    /// </summary>
    public const int MinimumStandardKeyBytes = 24;

    /// <summary>A Standard Webhooks secret: <c>whsec_</c> followed by base64 (the prefix is optional), at least 24 bytes.</summary>
    /// <exception cref="FormatException">Not base64, or shorter than <see cref="MinimumStandardKeyBytes"/> (PostHog refuses to sign with it).</exception>
    public static WebhookKey FromStandardSecret(string id, string secret, DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null)
    {
        ArgumentNullException.ThrowIfNull(secret);
        var text = secret.StartsWith("whsec_", StringComparison.Ordinal) ? secret[6..] : secret;
        var bytes = Convert.FromBase64String(text);
        if (bytes.Length < MinimumStandardKeyBytes)
        {
            CryptographicOperations.ZeroMemory(bytes);
            throw new FormatException(bytes.Length == 0
                ? "the webhook secret is empty"
                : $"the webhook secret decodes to {bytes.Length} bytes; PostHog signs only with at least {MinimumStandardKeyBytes} (was the whole secret pasted?). Make one with 'hogguard webhook secret new'");
        }

        return new WebhookKey(id, bytes, notBefore, notAfter);
    }

    /// <summary>A secret used as UTF-8 bytes, as <c>sha256HmacChainHex</c> does in Hog code.</summary>
    /// <exception cref="FormatException">Empty.</exception>
    public static WebhookKey FromUtf8Secret(string id, string secret, DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null)
    {
        ArgumentNullException.ThrowIfNull(secret);
        return secret.Length == 0 ? throw new FormatException("the webhook secret is empty") : new WebhookKey(id, Encoding.UTF8.GetBytes(secret), notBefore, notAfter);
    }

    /// <summary>A new random Standard Webhooks secret (<c>whsec_</c> + 32 random bytes in base64).</summary>
    public static string NewStandardSecret() => "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    internal bool IsValidAt(DateTimeOffset time) => (NotBefore is null || time >= NotBefore) && (NotAfter is null || time <= NotAfter);

    /// <summary>Zeroes the key bytes.</summary>
    public void Dispose() => CryptographicOperations.ZeroMemory(_key);

    /// <inheritdoc/>
    public override string ToString() => $"webhook key '{Id}'";
}
