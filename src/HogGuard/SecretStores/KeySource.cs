namespace HogGuard.SecretStores;

/// <summary>
/// Where a key lives: <c>env:NAME</c>, <c>dotenv:PATH#NAME</c>, <c>user-secrets:ID#NAME</c> or
/// <c>json:PATH#Section:Key</c>. Paths are relative to the configuration file's folder.
/// </summary>
public sealed record KeySource(string Scheme, string Location, string? Name)
{
    /// <summary>Parses a source such as <c>env:NAME</c>; false with the reason in <paramref name="error"/>.</summary>
    public static bool TryParse(string text, out KeySource source, out string error)
    {
        source = null!;
        error = string.Empty;
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        var scheme = colon < 0 ? string.Empty : text[..colon];
        var rest = colon < 0 ? string.Empty : text[(colon + 1)..];
        var hash = rest.IndexOf('#', StringComparison.Ordinal);
        switch (scheme)
        {
            case "env" when rest.Length > 0 && hash < 0:
                source = new KeySource(scheme, rest, null);
                return true;
            case "dotenv" or "user-secrets" or "json" when hash > 0 && hash < rest.Length - 1:
                source = new KeySource(scheme, rest[..hash], rest[(hash + 1)..]);
                return true;
            default:
                error = $"'{text}' is not a key source; use env:NAME, dotenv:PATH#NAME, user-secrets:ID#NAME or json:PATH#Section:Key";
                return false;
        }
    }

    /// <inheritdoc/>
    public override string ToString() => Name is null ? $"{Scheme}:{Location}" : $"{Scheme}:{Location}#{Name}";
}
