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

    /// <summary>
    /// Everything between the sequence number and the previous hash. It depends on neither, so
    /// callers encode it in parallel and the single writer only seals (sequence, chain, hash).
    /// </summary>
    public static byte[] EncodeBody(AuditEntry entry, Guid uuid)
    {
        var buffer = t_buffer ??= new System.Buffers.ArrayBufferWriter<byte>(512);
        var writer = t_writer ??= new Utf8JsonWriter(buffer, WriterOptions);
        buffer.ResetWrittenCount();
        writer.Reset(buffer);
        {
            writer.WriteStartObject();
            writer.WriteString("uuid", uuid);
            writer.WriteString("ts", entry.Timestamp.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ", CultureInfo.InvariantCulture));
            writer.WriteString("action", entry.Action);
            writer.WriteString("user_id", entry.UserId);
            writer.WriteString("resource", entry.Resource);
            writer.WriteString("result", entry.Result == AuditOutcome.Success ? "success" : "failure");
            writer.WriteStartObject("metadata");
            if (entry.Metadata.Count > 0)
            {
                foreach (var (key, value) in entry.Metadata.OrderBy(kv => kv.Key, StringComparer.Ordinal))
                {
                    writer.WriteString(key, value);
                }
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
            writer.Flush();
        }

        // Without the enclosing braces: {"uuid":...,"metadata":{...}} -> "uuid":...,"metadata":{...}
        return buffer.WrittenSpan[1..^1].ToArray();
    }

    [ThreadStatic]
    private static System.Buffers.ArrayBufferWriter<byte>? t_buffer;

    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    /// <summary><c>{"seq":N,BODY,"prev":"…","hash":"…"}</c> plus newline, with the hash over the line without its hash member.</summary>
    public static (byte[] Line, string Hash) Seal(byte[] body, long sequence, string previousHash)
    {
        Span<byte> number = stackalloc byte[20];
        System.Buffers.Text.Utf8Formatter.TryFormat(sequence, number, out var digits);
        ReadOnlySpan<byte> open = "{\"seq\":"u8;
        ReadOnlySpan<byte> prev = ",\"prev\":\""u8;
        var unsignedLength = open.Length + digits + 1 + body.Length + prev.Length + previousHash.Length + 2;
        var line = new byte[unsignedLength - 1 + HashMember.Length + 64 + 3];
        var at = 0;
        open.CopyTo(line);
        at += open.Length;
        number[..digits].CopyTo(line.AsSpan(at));
        at += digits;
        line[at++] = (byte)',';
        body.CopyTo(line, at);
        at += body.Length;
        prev.CopyTo(line.AsSpan(at));
        at += prev.Length;
        at += Encoding.ASCII.GetBytes(previousHash, line.AsSpan(at));
        line[at++] = (byte)'"';
        line[at] = (byte)'}';
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(line.AsSpan(0, at + 1), digest);
        var hash = Convert.ToHexStringLower(digest);
        Encoding.ASCII.GetBytes(HashMember + hash + "\"}\n", line.AsSpan(at));
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
