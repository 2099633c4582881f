using System.Buffers.Binary;
using System.Security.Cryptography;

namespace HogGuard.Audit;

/// <summary>
/// Time-ordered UUIDs (version 7, RFC 9562): 48 bits of Unix milliseconds, then 74 random bits.
/// The random bits come from the cryptographic generator in blocks per thread, so a busy log makes
/// one system call per ~25 entries instead of one per entry (<see cref="Guid.CreateVersion7()"/> asks
/// the kernel every time).
/// </summary>
internal static class AuditUuid
{
    private const int BlockSize = 256;
    private const int RandomBytes = 10;

    [ThreadStatic]
    private static byte[]? t_block;

    [ThreadStatic]
    private static int t_used;

    public static Guid NewVersion7(DateTimeOffset timestamp)
    {
        var block = t_block ??= new byte[BlockSize];
        if (t_used == 0 || t_used + RandomBytes > BlockSize)
        {
            RandomNumberGenerator.Fill(block);
            t_used = 0;
        }

        Span<byte> bytes = stackalloc byte[16];
        var milliseconds = timestamp.ToUnixTimeMilliseconds();
        BinaryPrimitives.WriteInt64BigEndian(bytes[..8], milliseconds << 16);
        var random = block.AsSpan(t_used, RandomBytes);
        bytes[6] = (byte)(0x70 | (random[0] & 0x0F));
        bytes[7] = random[1];
        bytes[8] = (byte)(0x80 | (random[2] & 0x3F));
        random[3..].CopyTo(bytes[9..]);
        random.Clear();
        t_used += RandomBytes;
        return new Guid(bytes, bigEndian: true);
    }
}
