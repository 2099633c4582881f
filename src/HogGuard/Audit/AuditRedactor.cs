using HogGuard.Keys;

namespace HogGuard.Audit;

/// <summary>Masks PostHog secrets (whole values or tokens inside them) and configured keys before an entry is written.</summary>
internal static class AuditRedactor
{
    /// <summary>
    /// Every field, metadata keys included, through <see cref="SecretRedaction"/> (with
    /// fingerprints), before the entry is hashed; configured metadata keys become <c>[redacted]</c>.
    /// </summary>
    public static AuditEntry Redact(AuditEntry entry, IReadOnlyCollection<string> redactKeys)
    {
        var metadata = new Dictionary<string, string?>(entry.Metadata.Count, StringComparer.Ordinal);
        var changed = false;
        foreach (var (key, value) in entry.Metadata)
        {
            var safeKey = Mask(key);
            var safeValue = redactKeys.Contains(key) ? "[redacted]" : value is null ? null : Mask(value);
            changed |= !ReferenceEquals(safeKey, key) || !ReferenceEquals(safeValue, value);
            metadata[safeKey] = safeValue;
        }

        var (action, user, resource) = (Mask(entry.Action), Mask(entry.UserId), Mask(entry.Resource));
        if (!changed && ReferenceEquals(action, entry.Action) && ReferenceEquals(user, entry.UserId) && ReferenceEquals(resource, entry.Resource))
        {
            return entry;
        }

        return entry with { Action = action, UserId = user, Resource = resource, Metadata = metadata };
    }

    private static string Mask(string value)
    {
        var masked = SecretRedaction.Redact(value, withFingerprint: true);
        return masked == value ? value : masked;
    }
}
