using System.Text.Json;
using System.Text.Json.Serialization;

namespace HogGuard.Keys;

/// <summary>
/// Holds a secret so that it cannot leak by accident: <see cref="ToString"/>, its JSON form and any
/// log line built from it show only the mask and fingerprint. The value is reachable only through
/// <see cref="Reveal"/>, which makes every use visible in code review.
/// </summary>
[JsonConverter(typeof(PostHogSecretJsonConverter))]
public sealed class PostHogSecret : IEquatable<PostHogSecret>
{
    private readonly string _value;

    /// <summary>Wraps a key value; only its mask and fingerprint are ever shown.</summary>
    public PostHogSecret(string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(value);
        _value = value;
        Masked = SecretMasking.Mask(value);
        Fingerprint = SecretMasking.Fingerprint(value);
        if (PostHogTokenFormat.TryParse(value, out var kind, out _))
        {
            Kind = kind;
        }
    }

    /// <summary>The kind, when the value has a PostHog token shape.</summary>
    public PostHogTokenKind? Kind { get; }

    /// <summary>PostHog's mask, e.g. <c>phx_...abcd</c>.</summary>
    public string Masked { get; }

    /// <summary>First 12 hex digits of SHA-256.</summary>
    public string Fingerprint { get; }

    /// <summary>The whole secret. Call only where it must go to PostHog itself.</summary>
    public string Reveal() => _value;

    /// <inheritdoc />
    public override string ToString() => $"{Masked} (sha256:{Fingerprint})";

    /// <inheritdoc />
    public bool Equals(PostHogSecret? other) =>
        other is not null && System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(
            System.Text.Encoding.UTF8.GetBytes(_value), System.Text.Encoding.UTF8.GetBytes(other._value));

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as PostHogSecret);

    /// <inheritdoc />
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Fingerprint);
}

/// <summary>Writes a <see cref="PostHogSecret"/> as its mask and fingerprint; refuses to read one from JSON.</summary>
public sealed class PostHogSecretJsonConverter : JsonConverter<PostHogSecret>
{
    /// <inheritdoc />
    public override PostHogSecret Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        throw new JsonException("Secrets are never read from JSON; load them from a file, standard input or the environment.");

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, PostHogSecret value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);
        writer.WriteStringValue(value.ToString());
    }
}
