using System.IO.MemoryMappedFiles;

namespace HogGuard.Sources.Packs;

/// <summary>A whole file mapped read-only, read as spans at offsets (checked against its length).</summary>
internal sealed unsafe class MappedFile : IDisposable
{
    private readonly MemoryMappedFile _file;
    private readonly MemoryMappedViewAccessor _view;
    private readonly byte* _base;

    public MappedFile(string path)
    {
        Length = new FileInfo(path).Length;
        if (Length == 0)
        {
            throw new InvalidDataException($"{path} is empty");
        }

        _file = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        _view = _file.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
        byte* pointer = null;
        _view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
        _base = pointer + _view.PointerOffset;
    }

    public long Length { get; }

    /// <summary><paramref name="length"/> bytes at <paramref name="offset"/>; <paramref name="what"/> names the file in the error when they lie outside it.</summary>
    public ReadOnlySpan<byte> Span(long offset, int length, string what) =>
        offset >= 0 && offset + length <= Length ? new ReadOnlySpan<byte>(_base + offset, length) : throw new InvalidDataException($"{what} is shorter than its contents say");

    /// <summary>A stream over the file from <paramref name="offset"/> to its end.</summary>
    public Stream StreamFrom(long offset) =>
        offset >= 0 && offset <= Length ? new UnmanagedMemoryStream(_base + offset, Length - offset) : throw new InvalidDataException("an offset lies outside its file");

    public void Dispose()
    {
        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _file.Dispose();
    }
}
