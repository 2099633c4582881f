using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using HogGuard.IO;

namespace HogGuard.Detection;

/// <summary>The kinds of archive the scanner opens, recognised by their first bytes.</summary>
internal enum ArchiveFormat
{
    None,
    Zip,
    Gzip,
    Tar,
}

/// <summary>Where content came from: the path reports show and, inside archives, the member path below the outermost file.</summary>
/// <param name="Path">The path reports show: <c>dist/app.zip!lib/config.js</c> inside an archive.</param>
/// <param name="BlobId">The git blob the outermost file is (history scans).</param>
/// <param name="Member">Inside an archive: the part of <see cref="Path"/> after the outermost file's path and its <c>!</c>.</param>
internal readonly record struct ContentOrigin(string Path, string? BlobId = null, string? Member = null)
{
    public ContentOrigin Child(string name) => new($"{Path}!{name}", BlobId, Member is null ? name : $"{Member}!{name}");
}

/// <summary>What one outermost archive has used of its <see cref="ArchiveLimits"/>.</summary>
internal sealed class ArchiveBudget(ArchiveLimits limits, string root)
{
    public ArchiveLimits Limits { get; } = limits;

    /// <summary>The outermost archive's path, for notes.</summary>
    public string Root { get; } = root;

    public long BytesLeft { get; set; } = limits.MaxBytes;

    public int MembersLeft { get; set; } = limits.MaxMembers;
}

/// <summary>A limit reached while unpacking; <see cref="StopsArchive"/> when the whole outermost archive stops, not just one member.</summary>
internal sealed class ArchiveLimitException(string message, bool stopsArchive) : Exception(message)
{
    public bool StopsArchive { get; } = stopsArchive;
}

/// <summary>
/// Reads zip (and jar, nupkg, whl, ...), tar and gzip (tgz) archives as a stream of members, each
/// handed back to the <see cref="ContentScanner"/> as a file of its own, within
/// <see cref="ArchiveLimits"/>. Nothing is written to disk: member names are only labels.
/// </summary>
internal static class ArchiveReader
{
    /// <summary>Bytes to look at to recognise an archive (tar's magic sits at offset 257).</summary>
    public const int ProbeLength = 262;

    /// <summary>The archive format <paramref name="probe"/> starts, by magic bytes (a <c>.tar</c> name is enough for old tars without one).</summary>
    public static ArchiveFormat Detect(ReadOnlySpan<byte> probe, string path)
    {
        if (probe.Length >= 4 && probe[0] == 'P' && probe[1] == 'K' && ((probe[2] == 3 && probe[3] == 4) || (probe[2] == 5 && probe[3] == 6)))
        {
            return ArchiveFormat.Zip;
        }

        if (probe.Length >= 3 && probe[0] == 0x1F && probe[1] == 0x8B && probe[2] == 8)
        {
            return ArchiveFormat.Gzip;
        }

        return IsTar(probe) || (probe.Length >= 512 && path.EndsWith(".tar", StringComparison.OrdinalIgnoreCase)) ? ArchiveFormat.Tar : ArchiveFormat.None;
    }

    private static bool IsTar(ReadOnlySpan<byte> probe) => probe.Length >= ProbeLength && probe.Slice(257, 5).SequenceEqual("ustar"u8);

    /// <summary>
    /// Reads the archive in <paramref name="content"/> (positioned at its start) and scans its
    /// members; a limit, a damaged archive or an unreadable member becomes a note.
    /// </summary>
    /// <param name="size">The archive's size when known (for the ratio check of a gzip stream); -1 if not.</param>
    public static void Read(ContentScanner scanner, Stream content, long size, ArchiveFormat format, ContentOrigin origin, int depth, ArchiveBudget budget)
    {
        try
        {
            switch (format)
            {
                case ArchiveFormat.Zip:
                    ReadZip(scanner, content, size, origin, depth, budget);
                    break;
                case ArchiveFormat.Gzip:
                    ReadGzip(scanner, content, origin, depth, budget);
                    break;
                default:
                    ReadTar(scanner, new BudgetStream(content, budget), origin, depth, budget);
                    break;
            }
        }
        catch (ArchiveLimitException e) when (e.StopsArchive && depth > 0)
        {
            throw;
        }
        catch (ArchiveLimitException e)
        {
            scanner.Note(e.Message);
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or EndOfStreamException or NotSupportedException or ArgumentException)
        {
            scanner.Note($"{origin.Path}: could not read it as an archive ({e.Message.TrimEnd('.')}); its members were not scanned");
        }
    }

    private static void ReadZip(ContentScanner scanner, Stream content, long size, ContentOrigin origin, int depth, ArchiveBudget budget)
    {
        // A zip is read from its end (the central directory), so it needs a seekable stream: a file
        // on disk is used as it is; a git blob or a member is copied into memory, within the budget.
        Stream seekable = content;
        if (!content.CanSeek)
        {
            if (size > budget.BytesLeft)
            {
                throw new ArchiveLimitException($"{budget.Root}: {origin.Path} was not opened: at {size:N0} bytes it is over what is left of the {budget.Limits.MaxBytes:N0}-byte limit per archive", stopsArchive: false);
            }

            var copy = new MemoryStream();
            new BudgetStream(content, budget).CopyTo(copy);
            copy.Position = 0;
            seekable = copy;
        }

        using var zip = new ZipArchive(seekable, ZipArchiveMode.Read, leaveOpen: true, entryNameEncoding: Encoding.UTF8);
        foreach (var entry in zip.Entries)
        {
            if (entry.FullName.EndsWith('/'))
            {
                continue;
            }

            TakeMember(budget);
            var member = origin.Child(Clean(entry.FullName));
            try
            {
                using var raw = entry.Open();
                using var counted = new BudgetStream(raw, budget, () => entry.CompressedLength, member.Path);
                scanner.ScanMember(counted, member, depth + 1, budget);
            }
            catch (ArchiveLimitException e) when (!e.StopsArchive)
            {
                scanner.Note(e.Message);
            }
            catch (InvalidDataException e)
            {
                scanner.Note($"{member.Path}: could not be unpacked ({e.Message.TrimEnd('.')}); not scanned");
            }
        }
    }

    private static void ReadGzip(ContentScanner scanner, Stream content, ContentOrigin origin, int depth, ArchiveBudget budget)
    {
        var packed = new CountingStream(content);
        using var gzip = new GZipStream(packed, CompressionMode.Decompress, leaveOpen: true);
        var unpacked = new BudgetStream(gzip, budget, () => packed.BytesRead, origin.Path);
        var head = new byte[512];
        var filled = 0;
        while (filled < head.Length && unpacked.Read(head, filled, head.Length - filled) is var n and > 0)
        {
            filled += n;
        }

        var rest = new PrefixedStream(head.AsMemory(0, filled), unpacked, long.MaxValue);
        if (IsTar(head.AsSpan(0, filled)))
        {
            // A .tgz: its members are the tar's, one level down.
            ReadTar(scanner, rest, origin, depth, budget);
            return;
        }

        // A single gzipped file: the member is the file it unpacks to.
        var name = Path.GetFileName(origin.Member ?? origin.Path);
        name = name.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? name[..^3] : name.EndsWith(".tgz", StringComparison.OrdinalIgnoreCase) ? name[..^4] + ".tar" : name + ".unpacked";
        TakeMember(budget);
        scanner.ScanMember(rest, origin.Child(Clean(name)), depth + 1, budget);
    }

    private static void ReadTar(ContentScanner scanner, Stream content, ContentOrigin origin, int depth, ArchiveBudget budget)
    {
        using var tar = new TarReader(content, leaveOpen: true);
        while (tar.GetNextEntry() is { } entry)
        {
            if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile) || entry.DataStream is not { } data)
            {
                continue;
            }

            TakeMember(budget);
            scanner.ScanMember(data, origin.Child(Clean(entry.Name)), depth + 1, budget);
        }
    }

    private static void TakeMember(ArchiveBudget budget)
    {
        if (--budget.MembersLeft < 0)
        {
            throw new ArchiveLimitException($"{budget.Root}: stopped after {budget.Limits.MaxMembers:N0} members (the limit per archive); the rest were not scanned", stopsArchive: true);
        }
    }

    /// <summary>A member name as a label: control characters (which could forge report lines) become '?'.</summary>
    private static string Clean(string name)
    {
        var clean = string.Create(name.Length, name, static (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                span[i] = char.IsControl(source[i]) ? '?' : source[i];
            }
        });
        return clean.Length == 0 ? "?" : clean;
    }

    /// <summary>Counts unpacked bytes against the budget and, with a packed size, against it (<paramref name="label"/> names what a refusal is about).</summary>
    private sealed class BudgetStream(Stream inner, ArchiveBudget budget, Func<long>? packedSize = null, string? label = null) : ReadOnlyStream
    {
        private long _read;

        public override int Read(Span<byte> buffer)
        {
            var n = inner.Read(buffer);
            _read += n;
            budget.BytesLeft -= n;
            if (budget.BytesLeft < 0)
            {
                throw new ArchiveLimitException($"{budget.Root}: stopped after {budget.Limits.MaxBytes:N0} bytes unpacked (the limit per archive, --archive-max-size); the rest was not scanned", stopsArchive: true);
            }

            if (packedSize is not null && _read > budget.Limits.RatioFloorBytes && _read > budget.Limits.MaxRatio * Math.Max(1, packedSize()))
            {
                throw new ArchiveLimitException($"{label ?? budget.Root}: skipped: it unpacks to over {budget.Limits.MaxRatio} times its packed size (a decompression bomb?)", stopsArchive: false);
            }

            return n;
        }
    }
}
