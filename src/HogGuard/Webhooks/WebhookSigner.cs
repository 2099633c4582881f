using System.Buffers;
using System.Security.Cryptography;
using System.Text;

namespace HogGuard.Webhooks;

/// <summary>Signs deliveries in either scheme, for tests and for services that forward events.</summary>
public static class WebhookSigner
{
    /// <summary>The <c>webhook-signature</c> value for Standard Webhooks: <c>v1,&lt;base64 HMAC&gt;</c>.</summary>
    public static string SignStandard(WebhookKey key, string id, long timestamp, ReadOnlySpan<byte> body)
    {
        ArgumentNullException.ThrowIfNull(id);
        return "v1," + Convert.ToBase64String(Hmac(key, id, timestamp, body));
    }

    /// <summary>The hex HMAC of <c>{timestamp}.{body}</c>, as <c>sha256HmacChainHex</c> computes it.</summary>
    public static string SignHex(WebhookKey key, long timestamp, ReadOnlySpan<byte> body) =>
        Convert.ToHexStringLower(Hmac(key, null, timestamp, body));

    private static byte[] Hmac(WebhookKey key, string? id, long timestamp, ReadOnlySpan<byte> body)
    {
        ArgumentNullException.ThrowIfNull(key);
        var stamp = timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var length = (id is null ? 0 : Encoding.UTF8.GetByteCount(id) + 1) + stamp.Length + 1 + body.Length;
        var buffer = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            var content = buffer.AsSpan(0, length);
            WriteSignedContent(content, id, stamp, body);
            return HMACSHA256.HashData(key.Bytes, content);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Writes <c>{id}.{timestamp}.{body}</c> (or <c>{timestamp}.{body}</c>) into <paramref name="target"/>.</summary>
    internal static void WriteSignedContent(Span<byte> target, string? id, string timestamp, ReadOnlySpan<byte> body)
    {
        var at = 0;
        if (id is not null)
        {
            at += Encoding.UTF8.GetBytes(id, target);
            target[at++] = (byte)'.';
        }

        at += Encoding.ASCII.GetBytes(timestamp, target[at..]);
        target[at++] = (byte)'.';
        body.CopyTo(target[at..]);
    }
}
