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

    public string Id { get; }

    public DateTimeOffset? NotBefore { get; }

    public DateTimeOffset? NotAfter { get; }

    internal ReadOnlySpan<byte> Bytes => _key;

    /// <summary>A Standard Webhooks secret: <c>whsec_</c> followed by base64 (the prefix is optional).</summary>
    /// <exception cref="FormatException">Not base64, or empty.</exception>
    public static WebhookKey FromStandardSecret(string id, string secret, DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null)
    {
        ArgumentNullException.ThrowIfNull(secret);
        var text = secret.StartsWith("whsec_", StringComparison.Ordinal) ? secret[6..] : secret;
        var bytes = Convert.FromBase64String(text);
        return bytes.Length == 0 ? throw new FormatException("the webhook secret is empty") : new WebhookKey(id, bytes, notBefore, notAfter);
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

    public override string ToString() => $"webhook key '{Id}'";
}
