using System.Buffers;
using System.Text;
using HogGuard.Keys;

namespace HogGuard.Detection;

/// <summary>What became of one file or blob.</summary>
internal enum ContentOutcome
{
    Scanned,
    Binary,
}

/// <summary>
/// Scans content of any size in fixed windows (so memory stays bounded whatever the file), carrying
/// enough bytes between windows that no token is cut, and turns matches into sightings with line,
/// column and the inline <c>hogguard:allow</c> check.
/// </summary>
internal sealed class ContentScanner
{
    /// <summary>Bytes read and scanned at a time.</summary>
    public const int WindowSize = 1 << 22;

    /// <summary>Content with a NUL byte in its first 8000 bytes is binary (git's own test).</summary>
    public const int BinaryProbeLength = 8000;

    private const int AllowSearchReach = 4096;
    private static readonly byte[] AllowMarker = "hogguard:allow"u8.ToArray();

    private readonly FindingSet _sink;
    private readonly ArchiveLimits? _archives;

    /// <param name="sink">Where sightings and notes go.</param>
    /// <param name="archives">How far to read into archives; null to scan them as the binary files they are.</param>
    public ContentScanner(FindingSet sink, ArchiveLimits? archives = null)
    {
        _sink = sink;
        _archives = archives;
    }

    /// <summary>Reads up to <paramref name="length"/> bytes (all of it when negative) from <paramref name="stream"/> and scans them.</summary>
    public ContentOutcome Scan(Stream stream, long length, string path, string? blobId = null) =>
        ScanWindows(stream, length < 0 ? long.MaxValue : length, new ContentOrigin(path, blobId), checkContent: true, depth: 0, budget: null);

    /// <summary>Scans one member of an archive (called back by <see cref="ArchiveReader"/>).</summary>
    internal void ScanMember(Stream content, ContentOrigin origin, int depth, ArchiveBudget budget) =>
        ScanWindows(content, long.MaxValue, origin, checkContent: true, depth, budget);

    /// <summary>Records something the report should say (a limit reached, an archive that could not be read).</summary>
    internal void Note(string note) => _sink.AddNote(note);

    /// <summary>
    /// The window loop. With <paramref name="checkContent"/>, the first window decides what the
    /// content is: UTF-16 text is transcoded to UTF-8 and scanned; binary content is skipped
    /// (and the rest of it consumed, so a stream of several blobs stays in step).
    /// </summary>
    private ContentOutcome ScanWindows(Stream stream, long remaining, ContentOrigin origin, bool checkContent, int depth, ArchiveBudget? budget)
    {
        var path = origin.Path;
        var buffer = ArrayPool<byte>.Shared.Rent(WindowSize);
        try
        {
            var filled = 0;
            var position = new LinePosition(1, 0);
            var continued = false;
            var settings = SettingDetector.AppliesTo(path);
            while (true)
            {
                var read = ReadFull(stream, buffer.AsSpan(filled, (int)Math.Min(buffer.Length - filled, remaining)));
                filled += read;
                remaining -= read;
                var end = read == 0 || remaining == 0 || filled < buffer.Length;
                if (checkContent)
                {
                    checkContent = false;
                    if (_archives is { } limits && ArchiveReader.Detect(buffer.AsSpan(0, Math.Min(filled, ArchiveReader.ProbeLength)), path) is var format and not ArchiveFormat.None)
                    {
                        if (depth < limits.MaxDepth)
                        {
                            var size = stream.CanSeek ? stream.Length : end ? filled : remaining == long.MaxValue ? -1 : filled + remaining;
                            if (stream.CanSeek && depth == 0)
                            {
                                // A file on disk: a zip is read from its end, so hand over the file itself.
                                stream.Seek(-filled, SeekOrigin.Current);
                                ArchiveReader.Read(this, stream, size, format, origin, depth, budget ?? new ArchiveBudget(limits, path));
                            }
                            else
                            {
                                using var archive = new PrefixedStream(buffer.AsMemory(0, filled), stream, end ? 0 : remaining);
                                ArchiveReader.Read(this, archive, size, format, origin, depth, budget ?? new ArchiveBudget(limits, path));
                                if (remaining != long.MaxValue)
                                {
                                    archive.DrainRest(); // a stream of several blobs stays in step
                                }
                            }

                            return ContentOutcome.Scanned;
                        }

                        Note($"{path}: not opened: archives nested more than {limits.MaxDepth} deep are not read");
                    }

                    var probe = buffer.AsSpan(0, Math.Min(filled, BinaryProbeLength));
                    if (TextEncodings.DetectWide(probe) is { } wide)
                    {
                        // A UTF-16 file (Windows PowerShell's '>' writes these) or UTF-32: scan it as UTF-8.
                        using var rest = new PrefixedStream(buffer.AsMemory(0, filled), stream, end ? 0 : remaining);
                        using var utf8 = Encoding.CreateTranscodingStream(rest, wide, Encoding.UTF8, leaveOpen: true);
                        return ScanWindows(utf8, long.MaxValue, origin, checkContent: false, depth, budget);
                    }

                    if (probe.IndexOf((byte)0) >= 0)
                    {
                        Drain(stream, remaining, end);
                        return ContentOutcome.Binary;
                    }
                }

                var window = buffer.AsSpan(0, filled);
                var limit = end ? filled : filled - TokenDetector.Overlap;
                ScanWindow(window, limit, continued, position, origin, settings);
                continued = true;
                if (end)
                {
                    return ContentOutcome.Scanned;
                }

                position = position.Advance(window[..limit]);
                window[limit..].CopyTo(buffer);
                filled -= limit;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Scans bytes already in memory; <paramref name="firstLine"/> numbers the first line (for diff hunks).</summary>
    public ContentOutcome Scan(ReadOnlySpan<byte> data, string path, int firstLine = 1, bool checkBinary = true)
    {
        if (checkBinary && data[..Math.Min(data.Length, BinaryProbeLength)].IndexOf((byte)0) >= 0)
        {
            return ContentOutcome.Binary;
        }

        ScanWindow(data, data.Length, continued: false, new LinePosition(firstLine, 0), new ContentOrigin(path), SettingDetector.AppliesTo(path));
        return ContentOutcome.Scanned;
    }

    private void ScanWindow(ReadOnlySpan<byte> window, int limit, bool continued, LinePosition start, ContentOrigin origin, bool settings)
    {
        var tokens = new List<TokenMatch>();
        List<SettingMatch>? settingMatches = null;
        TokenDetector.Scan(window, limit, tokens, continued);

        if (settings)
        {
            settingMatches = [];
            SettingDetector.Scan(window, limit, settingMatches);
        }

        if (tokens.Count == 0 && (settingMatches is null || settingMatches.Count == 0))
        {
            return;
        }

        var all = new List<(int Offset, int ReportOffset, int Length, Rule Rule, string Kind, string? Value, string? Encoding)>();
        foreach (var t in tokens)
        {
            all.Add((t.Offset, t.Offset, t.Length, Rules.ForKind(t.Kind), t.Kind.ReportName(), t.Value, t.Encoding));
        }

        foreach (var s in settingMatches ?? [])
        {
            all.Add((s.ValueOffset, s.NameOffset, s.ValueLength, Rules.SettingLiteral, "setting", null, null));
        }

        all.Sort((a, b) => a.ReportOffset.CompareTo(b.ReportOffset));
        var cursor = new LineCursor(window, start);
        foreach (var (offset, reportOffset, length, rule, kind, value, encoding) in all)
        {
            var (line, column, lineStart) = cursor.MoveTo(reportOffset);
            if (HasAllowMarker(window, lineStart, reportOffset))
            {
                continue;
            }

            var secret = new PostHogSecret(value ?? Encoding.UTF8.GetString(window.Slice(offset, length)));
            var location = new Location(origin.Path, line, column) { Encoding = encoding };
            _sink.Add(new Hit(rule, kind, secret.Fingerprint, secret.Masked, location, origin.BlobId) { Secret = secret, Member = origin.Member });
        }
    }

    private static bool HasAllowMarker(ReadOnlySpan<byte> window, int lineStart, int offset)
    {
        var from = Math.Max(lineStart, offset - AllowSearchReach);
        var rest = window[from..Math.Min(window.Length, offset + AllowSearchReach)];
        var lineEnd = rest[(offset - from)..].IndexOf((byte)'\n');
        var line = lineEnd < 0 ? rest : rest[..(offset - from + lineEnd)];
        return line.IndexOf(AllowMarker) >= 0;
    }

    private static int ReadFull(Stream stream, Span<byte> target)
    {
        var total = 0;
        while (total < target.Length)
        {
            var n = stream.Read(target[total..]);
            if (n == 0)
            {
                break;
            }

            total += n;
        }

        return total;
    }

    private static void Drain(Stream stream, long remaining, bool end)
    {
        if (end || remaining == long.MaxValue)
        {
            return;
        }

        var scratch = ArrayPool<byte>.Shared.Rent(81920);
        try
        {
            while (remaining > 0)
            {
                var n = stream.Read(scratch, 0, (int)Math.Min(scratch.Length, remaining));
                if (n == 0)
                {
                    return;
                }

                remaining -= n;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }
    }

    /// <summary>Line number at the start of a window and the characters of that line already seen in earlier windows.</summary>
    private readonly record struct LinePosition(int Line, int CarriedColumns)
    {
        public LinePosition Advance(ReadOnlySpan<byte> consumed)
        {
            var newlines = consumed.Count((byte)'\n');
            var last = consumed.LastIndexOf((byte)'\n');
            return last < 0
                ? this with { CarriedColumns = CarriedColumns + Encoding.UTF8.GetCharCount(consumed) }
                : new LinePosition(Line + newlines, Encoding.UTF8.GetCharCount(consumed[(last + 1)..]));
        }
    }

    /// <summary>Walks forward through a window once, so many matches on one huge line cost linear time.</summary>
    private ref struct LineCursor
    {
        private readonly ReadOnlySpan<byte> _window;
        private int _offset;
        private int _line;
        private int _lineStart;
        private int _columnsAtOffset;

        public LineCursor(ReadOnlySpan<byte> window, LinePosition start)
        {
            _window = window;
            _line = start.Line;
            _columnsAtOffset = start.CarriedColumns;
        }

        public (int Line, int Column, int LineStart) MoveTo(int target)
        {
            var span = _window[_offset..target];
            var last = span.LastIndexOf((byte)'\n');
            if (last >= 0)
            {
                _line += span.Count((byte)'\n');
                _lineStart = _offset + last + 1;
                _columnsAtOffset = Encoding.UTF8.GetCharCount(_window[_lineStart..target]);
            }
            else
            {
                _columnsAtOffset += Encoding.UTF8.GetCharCount(span);
            }

            _offset = target;
            return (_line, _columnsAtOffset + 1, _lineStart);
        }
    }
}
