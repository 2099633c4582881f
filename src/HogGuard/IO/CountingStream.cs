namespace HogGuard.IO;

/// <summary>A read-only view of a stream that counts the bytes read through it (standard input has no length).</summary>
internal sealed class CountingStream(Stream inner) : ReadOnlyStream
{
    public long BytesRead { get; private set; }

    public override long Position { get => BytesRead; set => throw new NotSupportedException(); }

    public override int Read(Span<byte> buffer)
    {
        var read = inner.Read(buffer);
        BytesRead += read;
        return read;
    }
}
