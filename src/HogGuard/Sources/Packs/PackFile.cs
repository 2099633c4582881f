using System.IO.Compression;

namespace HogGuard.Sources.Packs;

/// <summary>The object types a pack stores (its 3-bit type field).</summary>
internal enum PackObjectType
{
    Commit = 1,
    Tree = 2,
    Blob = 3,
    Tag = 4,
    OffsetDelta = 6,
    ReferenceDelta = 7,
}

/// <summary>
/// A pack (<c>.pack</c>, versions 2 and 3) read through a memory map: each object's header, its
/// zlib-deflated data, and delta chains (<c>OFS_DELTA</c> and <c>REF_DELTA</c> against an object of
/// the same pack) resolved through a base cache shared by every thread that reads the pack.
/// </summary>
internal sealed class PackFile : IDisposable
{
    private readonly MappedFile _file;
    private readonly DeltaBaseCache _cache;

    private PackFile(PackIndex index, MappedFile file, DeltaBaseCache cache)
    {
        Index = index;
        _file = file;
        _cache = cache;
    }

    /// <summary>The pack's index.</summary>
    public PackIndex Index { get; }

    /// <summary>Opens <paramref name="packPath"/> and its <c>.idx</c>; null when either is a format this reader does not know.</summary>
    public static PackFile? Open(string packPath, DeltaBaseCache cache)
    {
        var index = PackIndex.Open(Path.ChangeExtension(packPath, ".idx"));
        if (index is null)
        {
            return null;
        }

        MappedFile file;
        try
        {
            file = new MappedFile(packPath);
        }
        catch
        {
            index.Dispose();
            throw;
        }

        var pack = new PackFile(index, file, cache);
        var header = pack.Span(0, 12);
        var version = (header[4] << 24) | (header[5] << 16) | (header[6] << 8) | header[7];
        var count = (header[8] << 24) | (header[9] << 16) | (header[10] << 8) | header[11];
        if (!header[..4].SequenceEqual("PACK"u8) || version is not (2 or 3) || count != index.Count)
        {
            pack.Dispose();
            return null;
        }

        return pack;
    }

    /// <summary>The type an object at <paramref name="offset"/> resolves to (following deltas to their base) and its size as stored.</summary>
    public PackObjectType TypeAt(long offset)
    {
        while (true)
        {
            var (type, _, dataOffset) = Header(offset);
            switch (type)
            {
                case PackObjectType.OffsetDelta:
                    offset -= ReadOffset(dataOffset, out _);
                    break;
                case PackObjectType.ReferenceDelta:
                    offset = Index.Find(Span(dataOffset, 20));
                    if (offset < 0)
                    {
                        throw new InvalidDataException("a delta's base is not in its pack");
                    }

                    break;
                default:
                    return type;
            }
        }
    }

    /// <summary>
    /// The size of the object at <paramref name="offset"/> once read: from its header, or for a delta
    /// from the target size at the start of the delta (only those few bytes are inflated).
    /// </summary>
    public long SizeAt(long offset)
    {
        var (type, size, dataOffset) = Header(offset);
        if (type is not (PackObjectType.OffsetDelta or PackObjectType.ReferenceDelta))
        {
            return size;
        }

        var deltaData = type == PackObjectType.OffsetDelta ? SkipOffset(dataOffset) : dataOffset + 20;
        Span<byte> head = stackalloc byte[(int)Math.Min(20, size)];
        InflateInto(deltaData, head);
        var at = 0;
        Delta.ReadSize(head, ref at);
        return Delta.ReadSize(head, ref at);
    }

    /// <summary>
    /// The whole content of the object at <paramref name="offset"/>, deltas applied, in a buffer rented from the shared
    /// pool (return it by disposing): a history of hundreds of megabytes then reuses a few buffers
    /// instead of leaving that much garbage, much of it on the large object heap.
    /// </summary>
    public RentedBytes ReadRented(long offset)
    {
        // Walk the chain down to a base (or a cached object), then apply the deltas back up.
        var chain = new Stack<(long Offset, long DataOffset, long Size)>();
        byte[]? content = null;
        var at = offset;
        while (content is null)
        {
            if (_cache.TryGet(this, at, out var cached))
            {
                content = cached;
                break;
            }

            var (type, size, dataOffset) = Header(at);
            switch (type)
            {
                case PackObjectType.OffsetDelta:
                    {
                        var distance = ReadOffset(dataOffset, out var deltaData);
                        chain.Push((at, deltaData, size));
                        at -= distance;
                        break;
                    }

                case PackObjectType.ReferenceDelta:
                    {
                        chain.Push((at, dataOffset + 20, size));
                        at = Index.Find(Span(dataOffset, 20));
                        if (at < 0)
                        {
                            throw new InvalidDataException("a delta's base is not in its pack");
                        }

                        break;
                    }

                case PackObjectType.Commit or PackObjectType.Tree or PackObjectType.Blob or PackObjectType.Tag:
                    if (chain.Count == 0)
                    {
                        var whole = RentedBytes.Rent(size);
                        InflateInto(dataOffset, whole.Writable);
                        return whole;
                    }

                    content = Inflate(dataOffset, size);
                    _cache.Add(this, at, content);
                    break;
                default:
                    throw new InvalidDataException($"unknown object type {(int)type} at offset {at}");
            }
        }

        if (chain.Count == 0)
        {
            // The object itself was cached (it is a base of others): hand out a copy.
            var copy = RentedBytes.Rent(content.Length);
            content.CopyTo(copy.Writable);
            return copy;
        }

        while (chain.Count > 1)
        {
            var (deltaOffset, deltaData, deltaSize) = chain.Pop();
            content = Delta.Apply(content, Inflate(deltaData, deltaSize));
            _cache.Add(this, deltaOffset, content);
        }

        var (_, lastData, lastSize) = chain.Pop();
        using var delta = RentedBytes.Rent(lastSize);
        InflateInto(lastData, delta.Writable);
        var target = RentedBytes.Rent(Delta.TargetSize(delta.Span));
        Delta.ApplyInto(content, delta.Span, target.Writable);
        return target;
    }

    public void Dispose()
    {
        _file.Dispose();
        Index.Dispose();
    }

    /// <summary>An object header: type, inflated size, and where its data (or delta base reference) starts.</summary>
    private (PackObjectType Type, long Size, long DataOffset) Header(long offset)
    {
        var b = Span(offset, 1)[0];
        var type = (PackObjectType)((b >> 4) & 7);
        long size = b & 0x0F;
        var shift = 4;
        var at = offset + 1;
        while ((b & 0x80) != 0)
        {
            b = Span(at++, 1)[0];
            size |= (long)(b & 0x7F) << shift;
            shift += 7;
            if (shift > 63)
            {
                throw new InvalidDataException("an object size does not fit in 64 bits");
            }
        }

        return (type, size, at);
    }

    /// <summary>An OFS_DELTA's distance back to its base (git's offset encoding), and where the delta data starts.</summary>
    private long ReadOffset(long at, out long dataOffset)
    {
        var b = Span(at++, 1)[0];
        long value = b & 0x7F;
        while ((b & 0x80) != 0)
        {
            b = Span(at++, 1)[0];
            value = ((value + 1) << 7) | (uint)(b & 0x7F);
        }

        dataOffset = at;
        return value;
    }

    private byte[] Inflate(long offset, long size)
    {
        if (size > Array.MaxLength)
        {
            throw new InvalidDataException("an object is larger than this reader holds in memory");
        }

        var output = new byte[size];
        InflateInto(offset, output);
        return output;
    }

    private void InflateInto(long offset, Span<byte> output)
    {
        using var input = _file.StreamFrom(offset);
        using var zlib = new ZLibStream(input, CompressionMode.Decompress);
        zlib.ReadExactly(output);
    }

    private long SkipOffset(long at)
    {
        ReadOffset(at, out var dataOffset);
        return dataOffset;
    }

    private ReadOnlySpan<byte> Span(long offset, int length) => _file.Span(offset, length, "the pack");
}

/// <summary>Applies git's delta format: source and target sizes, then copy and insert instructions.</summary>
internal static class Delta
{
    public static byte[] Apply(byte[] source, ReadOnlySpan<byte> delta)
    {
        var target = new byte[TargetSize(delta)];
        ApplyInto(source, delta, target);
        return target;
    }

    /// <summary>The size of the object a delta builds.</summary>
    public static long TargetSize(ReadOnlySpan<byte> delta)
    {
        var at = 0;
        ReadSize(delta, ref at);
        var size = ReadSize(delta, ref at);
        return size <= Array.MaxLength ? size : throw new InvalidDataException("a delta builds an object larger than this reader holds in memory");
    }

    /// <summary>Applies <paramref name="delta"/> to <paramref name="source"/>, writing exactly <paramref name="target"/>'s length.</summary>
    public static void ApplyInto(ReadOnlySpan<byte> source, ReadOnlySpan<byte> delta, Span<byte> target)
    {
        var at = 0;
        var sourceSize = ReadSize(delta, ref at);
        var targetSize = ReadSize(delta, ref at);
        if (sourceSize != source.Length || targetSize != target.Length)
        {
            throw new InvalidDataException("a delta does not fit its base");
        }

        var written = 0;
        while (at < delta.Length)
        {
            var op = delta[at++];
            if ((op & 0x80) != 0)
            {
                long copyOffset = 0, copySize = 0;
                for (var bit = 0; bit < 4; bit++)
                {
                    if ((op & (1 << bit)) != 0)
                    {
                        copyOffset |= (long)delta[at++] << (8 * bit);
                    }
                }

                for (var bit = 0; bit < 3; bit++)
                {
                    if ((op & (0x10 << bit)) != 0)
                    {
                        copySize |= (long)delta[at++] << (8 * bit);
                    }
                }

                if (copySize == 0)
                {
                    copySize = 0x10000;
                }

                if (copyOffset + copySize > source.Length || written + copySize > target.Length)
                {
                    throw new InvalidDataException("a delta copies outside its base or target");
                }

                source.Slice((int)copyOffset, (int)copySize).CopyTo(target[written..]);
                written += (int)copySize;
            }
            else if (op != 0)
            {
                if (at + op > delta.Length || written + op > target.Length)
                {
                    throw new InvalidDataException("a delta inserts past its end");
                }

                delta.Slice(at, op).CopyTo(target[written..]);
                at += op;
                written += op;
            }
            else
            {
                throw new InvalidDataException("a delta holds the reserved instruction 0");
            }
        }

        if (written != target.Length)
        {
            throw new InvalidDataException("a delta ends before its target is complete");
        }
    }

    internal static long ReadSize(ReadOnlySpan<byte> delta, ref int at)
    {
        long size = 0;
        var shift = 0;
        byte b;
        do
        {
            b = delta[at++];
            size |= (long)(b & 0x7F) << shift;
            shift += 7;
        }
        while ((b & 0x80) != 0 && shift < 64);
        return size;
    }
}

/// <summary>
/// Delta bases recently rebuilt, shared by every reader of a repository's packs, evicted oldest
/// first past a byte budget: a delta chain read forward in pack order finds its bases here.
/// </summary>
internal sealed class DeltaBaseCache(long budget)
{
    private readonly Dictionary<(PackFile Pack, long Offset), LinkedListNode<(PackFile Pack, long Offset, byte[] Content)>> _entries = [];
    private readonly LinkedList<(PackFile Pack, long Offset, byte[] Content)> _order = new();
    private long _bytes;

    public bool TryGet(PackFile pack, long offset, out byte[] content)
    {
        lock (_entries)
        {
            if (_entries.TryGetValue((pack, offset), out var node))
            {
                _order.Remove(node);
                _order.AddLast(node);
                content = node.Value.Content;
                return true;
            }
        }

        content = [];
        return false;
    }

    public void Add(PackFile pack, long offset, byte[] content)
    {
        if (content.Length > budget / 4)
        {
            return;
        }

        lock (_entries)
        {
            if (_entries.ContainsKey((pack, offset)))
            {
                return;
            }

            _entries[(pack, offset)] = _order.AddLast((pack, offset, content));
            _bytes += content.Length;
            while (_bytes > budget && _order.First is { } oldest)
            {
                _order.RemoveFirst();
                _entries.Remove((oldest.Value.Pack, oldest.Value.Offset));
                _bytes -= oldest.Value.Content.Length;
            }
        }
    }
}

/// <summary>A buffer rented from the shared array pool holding <see cref="Length"/> bytes; disposing returns it.</summary>
internal sealed class RentedBytes : IDisposable
{
    private byte[]? _array;

    private RentedBytes(byte[] array, int length)
    {
        _array = array;
        Length = length;
    }

    public int Length { get; }

    public ReadOnlySpan<byte> Span => (_array ?? throw new ObjectDisposedException(nameof(RentedBytes))).AsSpan(0, Length);

    public Span<byte> Writable => (_array ?? throw new ObjectDisposedException(nameof(RentedBytes))).AsSpan(0, Length);

    /// <summary>The array itself (valid up to <see cref="Length"/>), for a stream over it.</summary>
    public byte[] Array => _array ?? throw new ObjectDisposedException(nameof(RentedBytes));

    public static RentedBytes Rent(long length) =>
        length <= System.Array.MaxLength
            ? new RentedBytes(System.Buffers.ArrayPool<byte>.Shared.Rent((int)length), (int)length)
            : throw new InvalidDataException("an object is larger than this reader holds in memory");

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _array, null) is { } array)
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(array);
        }
    }
}
