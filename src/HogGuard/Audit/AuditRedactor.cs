using System.Text;
using HogGuard.Detection;
using HogGuard.Keys;

namespace HogGuard.Audit;

/// <summary>Masks PostHog secrets (whole values or tokens inside them) and configured keys before an entry is written.</summary>
internal static class AuditRedactor
{
    public static AuditEntry Redact(AuditEntry entry, IReadOnlyCollection<string> redactKeys)
    {
        Dictionary<string, string?>? changed = null;
        foreach (var (key, value) in entry.Metadata)
        {
            var redacted = redactKeys.Contains(key) ? "[redacted]" : MaskTokens(value);
            if (!ReferenceEquals(redacted, value))
            {
                changed ??= new Dictionary<string, string?>(entry.Metadata, StringComparer.Ordinal);
                changed[key] = redacted;
            }
        }

        return changed is null ? entry : entry with { Metadata = changed };
    }

    private static string? MaskTokens(string? value)
    {
        if (string.IsNullOrEmpty(value) || !value.Contains("ph", StringComparison.Ordinal))
        {
            return value;
        }

        var bytes = Encoding.UTF8.GetBytes(value);
        var matches = TokenDetector.ScanAll(bytes);
        if (matches.Count == 0)
        {
            return value;
        }

        var text = new StringBuilder();
        var at = 0;
        foreach (var match in matches)
        {
            text.Append(Encoding.UTF8.GetString(bytes, at, match.Offset - at));
            var token = bytes.AsSpan(match.Offset, match.Length);
            text.Append(SecretMasking.Mask(token)).Append(" (sha256:").Append(SecretMasking.Fingerprint(token)).Append(')');
            at = match.Offset + match.Length;
        }

        text.Append(Encoding.UTF8.GetString(bytes, at, bytes.Length - at));
        return text.ToString();
    }
}
