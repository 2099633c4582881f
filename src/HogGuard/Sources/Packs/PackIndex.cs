using System.Buffers.Binary;

namespace HogGuard.Sources.Packs;

/// <summary>
/// A pack's <c>.idx</c> (version 2, SHA-1): the sorted object names, and each object's offset in
/// the pack. Read through a memory map; nothing is copied but what a lookup touches.
/// </summary>
internal sealed class PackIndex : IDisposable
{
    private const int NameLength = 20;
    private static ReadOnlySpan<byte> Magic => [0xFF, (byte)'t', (byte)'O', (byte)'c'];

    private readonly MappedFile _file;

    private PackIndex(MappedFile file)
    {
        _file = file;
        Count = (int)BinaryPrimitives.ReadUInt32BigEndian(Span(8 + (255 * 4), 4));
    }

    /// <summary>Objects in the pack.</summary>
    public int Count { get; }

    /// <summary>Opens an index; null when it is not a version-2 SHA-1 index (the caller falls back to git).</summary>
    public static PackIndex? Open(string path)
    {
        var length = new FileInfo(path).Length;
        if (length < 8 + (256 * 4) + 40)
        {
            return null;
        }

        var index = new PackIndex(new MappedFile(path));
        var count = (long)index.Count;
        var expected = 8 + (256 * 4) + (count * (NameLength + 4 + 4)) + 40;
        if (!index.Span(0, 4).SequenceEqual(Magic) || BinaryPrimitives.ReadUInt32BigEndian(index.Span(4, 4)) != 2 || length < expected)
        {
            index.Dispose();
            return null;
        }

        return index;
    }

    /// <summary>The name of the object at <paramref name="position"/> in name order.</summary>
    public ReadOnlySpan<byte> Name(int position) => Span(8 + (256 * 4) + ((long)position * NameLength), NameLength);

    /// <summary>The pack offset of the object at <paramref name="position"/> in name order.</summary>
    public long Offset(int position)
    {
        var offsets = 8 + (256 * 4) + ((long)Count * (NameLength + 4));
        var value = BinaryPrimitives.ReadUInt32BigEndian(Span(offsets + ((long)position * 4), 4));
        if ((value & 0x80000000) == 0)
        {
            return value;
        }

        var large = offsets + ((long)Count * 4) + ((value & 0x7FFFFFFF) * 8L);
        return (long)BinaryPrimitives.ReadUInt64BigEndian(Span(large, 8));
    }

    /// <summary>The pack offset of <paramref name="name"/>, or -1 when this pack does not hold it.</summary>
    public long Find(ReadOnlySpan<byte> name)
    {
        var first = name[0];
        var low = first == 0 ? 0 : (int)BinaryPrimitives.ReadUInt32BigEndian(Span(8 + ((first - 1) * 4), 4));
        var high = (int)BinaryPrimitives.ReadUInt32BigEndian(Span(8 + (first * 4), 4)) - 1;
        while (low <= high)
        {
            var middle = low + ((high - low) / 2);
            var order = Name(middle).SequenceCompareTo(name);
            if (order == 0)
            {
                return Offset(middle);
            }

            if (order < 0)
            {
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
        }

        return -1;
    }

    public void Dispose() => _file.Dispose();

    private ReadOnlySpan<byte> Span(long offset, int length) => _file.Span(offset, length, "the pack index");
}
