using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace HogGuard.Audit;

/// <summary>
/// One entry per JSON line, fields in a fixed order. The hash is SHA-256 over the line's exact bytes
/// without its final <c>,"hash":"…"</c> member, so any edited byte breaks it.
/// </summary>
internal static class AuditLineFormat
{
    public const string Genesis = "0000000000000000000000000000000000000000000000000000000000000000";
    private const string HashMember = ",\"hash\":\"";

    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The stored line (with its trailing newline) and its hash.</summary>
    public static (byte[] Line, string Hash) Encode(AuditEntry entry, Guid uuid, long sequence, string previousHash)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteNumber("seq", sequence);
            writer.WriteString("uuid", uuid.ToString("D"));
            writer.WriteString("ts", entry.Timestamp.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ", CultureInfo.InvariantCulture));
            writer.WriteString("action", entry.Action);
            writer.WriteString("user_id", entry.UserId);
            writer.WriteString("resource", entry.Resource);
            writer.WriteString("result", entry.Result == AuditOutcome.Success ? "success" : "failure");
            writer.WriteStartObject("metadata");
            foreach (var (key, value) in entry.Metadata.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                writer.WriteString(key, value);
            }

            writer.WriteEndObject();
            writer.WriteString("prev", previousHash);
            writer.WriteEndObject();
        }

        var unsigned = buffer.ToArray();
        var hash = Convert.ToHexStringLower(SHA256.HashData(unsigned));
        var line = new byte[unsigned.Length - 1 + HashMember.Length + hash.Length + 3];
        unsigned.AsSpan(0, unsigned.Length - 1).CopyTo(line);
        Encoding.ASCII.GetBytes(HashMember + hash + "\"}\n", line.AsSpan(unsigned.Length - 1));
        return (line, hash);
    }

    /// <summary>Reads a stored line (without newline); null when it is not a whole, well-formed entry.</summary>
    public static (StoredAuditEntry Entry, bool HashMatches)? Decode(ReadOnlySpan<byte> line)
    {
        var at = line.LastIndexOf(Encoding.ASCII.GetBytes(HashMember));
        if (at < 0 || line.Length < at + HashMember.Length + 64 + 2)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(line.ToArray());
            var root = document.RootElement;
            var metadata = new Dictionary<string, string?>(StringComparer.Ordinal);
            foreach (var property in root.GetProperty("metadata").EnumerateObject())
            {
                metadata[property.Name] = property.Value.ValueKind == JsonValueKind.Null ? null : property.Value.GetString();
            }

            var entry = new AuditEntry(
                DateTimeOffset.Parse(root.GetProperty("ts").GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal),
                root.GetProperty("action").GetString()!,
                root.GetProperty("user_id").GetString()!,
                root.GetProperty("resource").GetString()!,
                root.GetProperty("result").GetString() == "success" ? AuditOutcome.Success : AuditOutcome.Failure)
            { Metadata = metadata };
            var stored = new StoredAuditEntry(entry, Guid.Parse(root.GetProperty("uuid").GetString()!), root.GetProperty("seq").GetInt64(), root.GetProperty("prev").GetString()!, root.GetProperty("hash").GetString()!);

            Span<byte> unsigned = new byte[at + 1];
            line[..at].CopyTo(unsigned);
            unsigned[at] = (byte)'}';
            var actual = Convert.ToHexStringLower(SHA256.HashData(unsigned));
            return (stored, actual == stored.Hash);
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException or KeyNotFoundException)
        {
            return null;
        }
    }
}
