using System.Text.RegularExpressions;

namespace HogGuard.Keys;

/// <summary>
/// The one redaction every text passes before it reaches a terminal, a log, a file or PostHog:
/// anything shaped like a PostHog token (a known prefix and a long run of token characters, found
/// anywhere, also glued to other text such as <c>Bearer_phx_...</c> or <c>phx_...XYZ</c>) becomes
/// PostHog's mask, and a <c>whsec_</c> webhook secret becomes <c>whsec_[redacted]</c>. It masks more
/// than the detector reports (any length from 30 characters on), never less.
/// </summary>
public static partial class SecretRedaction
{
    [GeneratedRegex("ph[xscar]_[0-9A-Za-z]{30,}", RegexOptions.CultureInvariant)]
    private static partial Regex Token();

    [GeneratedRegex("whsec_[0-9A-Za-z+/]{8,}={0,2}", RegexOptions.CultureInvariant)]
    private static partial Regex WebhookSecret();

    /// <summary>The text with every token masked (<c>phx_...abcd</c>) and every webhook secret replaced.</summary>
    public static string Redact(string text) => Redact(text, withFingerprint: false);

    /// <summary>As <see cref="Redact(string)"/>, with each token's fingerprint beside its mask (for audit entries).</summary>
    public static string Redact(string text, bool withFingerprint)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!text.Contains("ph", StringComparison.Ordinal) && !text.Contains("whsec_", StringComparison.Ordinal))
        {
            return text;
        }

        var masked = Token().Replace(text, m => withFingerprint
            ? $"{SecretMasking.Mask(m.Value)} (sha256:{SecretMasking.Fingerprint(System.Text.Encoding.UTF8.GetBytes(m.Value))})"
            : SecretMasking.Mask(m.Value));
        return WebhookSecret().Replace(masked, "whsec_[redacted]");
    }
}
