namespace HogGuard.Detection;

/// <summary>A read-only stream of bytes already read followed by at most <c>remaining</c> more from the source.</summary>
internal sealed class PrefixedStream : HogGuard.IO.ReadOnlyStream
{
    private readonly ReadOnlyMemory<byte> _prefix;
    private readonly Stream _source;
    private int _offset;
    private long _remaining;

    /// <param name="remaining">Bytes still to read from <paramref name="source"/>; <see cref="long.MaxValue"/> for all of it.</param>
    public PrefixedStream(ReadOnlyMemory<byte> prefix, Stream source, long remaining)
    {
        _prefix = prefix;
        _source = source;
        _remaining = remaining;
    }

    public override int Read(Span<byte> buffer)
    {
        if (_offset < _prefix.Length)
        {
            var n = Math.Min(buffer.Length, _prefix.Length - _offset);
            _prefix.Span.Slice(_offset, n).CopyTo(buffer);
            _offset += n;
            return n;
        }

        if (_remaining <= 0 || buffer.IsEmpty)
        {
            return 0;
        }

        var read = _source.Read(buffer[..(int)Math.Min(buffer.Length, _remaining)]);
        _remaining -= read;
        return read;
    }

    /// <summary>Reads and discards whatever is left, up to the bound given at construction.</summary>
    public void DrainRest()
    {
        var scratch = new byte[81920];
        while (Read(scratch) > 0)
        {
        }
    }
}
