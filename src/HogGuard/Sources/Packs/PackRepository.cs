using System.IO.Compression;
using System.Text;

namespace HogGuard.Sources.Packs;

/// <summary>
/// A repository's object store as this reader can serve it: its packs (version-2 SHA-1 indexes) and
/// loose objects. <see cref="Open"/> returns null for what it does not read (SHA-256 objects,
/// alternates, promisor packs of a partial clone, unknown pack or index versions), so the caller
/// uses <c>git cat-file</c> instead.
/// </summary>
internal sealed class PackRepository : IDisposable
{
    private readonly string _objects;
    private readonly List<PackFile> _packs;

    private PackRepository(string objects, List<PackFile> packs)
    {
        _objects = objects;
        _packs = packs;
    }

    /// <summary>The packs, in the order their objects are looked up.</summary>
    public IReadOnlyList<PackFile> Packs => _packs;

    /// <summary>Opens the object store of the repository whose git directory is <paramref name="gitDirectory"/>.</summary>
    public static PackRepository? Open(string gitDirectory, DeltaBaseCache cache)
    {
        var objects = Path.Combine(gitDirectory, "objects");
        var config = Path.Combine(gitDirectory, "config");
        if (!Directory.Exists(objects)
            || File.Exists(Path.Combine(objects, "info", "alternates"))
            || (File.Exists(config) && File.ReadAllText(config).Contains("objectformat", StringComparison.OrdinalIgnoreCase)))
        {
            return null;
        }

        var packs = new List<PackFile>();
        var packFolder = Path.Combine(objects, "pack");
        foreach (var path in Directory.Exists(packFolder) ? Directory.GetFiles(packFolder, "*.pack").Order(StringComparer.Ordinal).ToArray() : [])
        {
            PackFile? pack = null;
            try
            {
                pack = File.Exists(Path.ChangeExtension(path, ".promisor")) ? null : PackFile.Open(path, cache);
            }
            catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
            {
                pack = null;
            }

            if (pack is null)
            {
                packs.ForEach(p => p.Dispose());
                return null;
            }

            packs.Add(pack);
        }

        return new PackRepository(objects, packs);
    }

    /// <summary>Every object of every pack with its resolved type, in pack order (offset order within each pack).</summary>
    public IEnumerable<(PackFile Pack, long Offset, byte[] Id, PackObjectType Type)> ObjectsInPackOrder()
    {
        foreach (var pack in _packs)
        {
            var index = pack.Index;
            var order = new (long Offset, int Position)[index.Count];
            for (var i = 0; i < order.Length; i++)
            {
                order[i] = (index.Offset(i), i);
            }

            Array.Sort(order, (a, b) => a.Offset.CompareTo(b.Offset));
            foreach (var (offset, position) in order)
            {
                yield return (pack, offset, index.Name(position).ToArray(), pack.TypeAt(offset));
            }
        }
    }

    /// <summary>
    /// The content of object <paramref name="id"/> (20 bytes) from a pack or a loose file, in a pooled
    /// buffer the caller returns by disposing it; null when neither holds it.
    /// </summary>
    public RentedBytes? ReadRented(ReadOnlySpan<byte> id)
    {
        foreach (var pack in _packs)
        {
            var offset = pack.Index.Find(id);
            if (offset >= 0)
            {
                return pack.ReadRented(offset);
            }
        }

        return ReadLoose(id);
    }

    /// <summary>The size of object <paramref name="id"/> once read, or -1 when neither a pack nor a loose file holds it.</summary>
    public long SizeOf(ReadOnlySpan<byte> id)
    {
        foreach (var pack in _packs)
        {
            var offset = pack.Index.Find(id);
            if (offset >= 0)
            {
                return pack.SizeAt(offset);
            }
        }

        var hex = Convert.ToHexStringLower(id);
        var path = Path.Combine(_objects, hex[..2], hex[2..]);
        if (!File.Exists(path))
        {
            return -1;
        }

        using var file = File.OpenRead(path);
        using var zlib = new ZLibStream(file, CompressionMode.Decompress);
        return ReadLooseHeader(zlib, hex);
    }

    public void Dispose() => _packs.ForEach(p => p.Dispose());

    /// <summary>A loose object: zlib over <c>TYPE SIZE\0CONTENT</c>.</summary>
    private RentedBytes? ReadLoose(ReadOnlySpan<byte> id)
    {
        var hex = Convert.ToHexStringLower(id);
        var path = Path.Combine(_objects, hex[..2], hex[2..]);
        if (!File.Exists(path))
        {
            return null;
        }

        using var file = File.OpenRead(path);
        using var zlib = new ZLibStream(file, CompressionMode.Decompress);
        var content = RentedBytes.Rent(ReadLooseHeader(zlib, hex));
        zlib.ReadExactly(content.Writable);
        return content;
    }

    /// <summary>Reads a loose object's <c>TYPE SIZE\0</c> header and returns the size.</summary>
    private static long ReadLooseHeader(Stream zlib, string hex)
    {
        var header = new List<byte>();
        int b;
        while ((b = zlib.ReadByte()) > 0)
        {
            header.Add((byte)b);
            if (header.Count > 64)
            {
                throw new InvalidDataException($"loose object {hex} has no header");
            }
        }

        var text = Encoding.ASCII.GetString(header.ToArray());
        var space = text.IndexOf(' ', StringComparison.Ordinal);
        if (b < 0 || space < 0 || !long.TryParse(text.AsSpan(space + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var size) || size > Array.MaxLength)
        {
            throw new InvalidDataException($"loose object {hex} has a damaged header");
        }

        return size;
    }
}
