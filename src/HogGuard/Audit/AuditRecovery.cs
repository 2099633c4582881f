using System.Globalization;
using HogGuard.IO;

namespace HogGuard.Audit;

/// <summary>Finds where the chain ends when a log is opened, setting a torn last line aside.</summary>
internal static class AuditRecovery
{
    public static (long LastSequence, string LastHash, string SegmentName, DateOnly? SegmentDay, string? SetAside) Recover(string directory, TimeProvider time)
    {
        var segments = AuditFiles.Segments(directory);
        if (segments.Count == 0)
        {
            return (0, AuditLineFormat.Genesis, AuditFiles.SegmentName(1), null, null);
        }

        var (path, first) = segments[^1];
        var bytes = AuditFiles.ReadSegment(path);
        var (end, last) = LastWholeEntry(bytes);
        string? setAside = null;
        if (end < bytes.Length)
        {
            // A crash cut the last line short: keep those bytes for inspection, then cut them off.
            setAside = $"{path}.torn-{time.GetUtcNow().ToString("yyyyMMddHHmmssfff", CultureInfo.InvariantCulture)}";
            // Same mode as the segments (owner-only): the torn bytes are part of an entry.
            AtomicFile.Write(setAside, s => s.Write(bytes.AsSpan(end)), UnixFileMode.UserRead | UnixFileMode.UserWrite);
            using (var file = new FileStream(path, FileMode.Open, FileAccess.Write))
            {
                file.SetLength(end);
                file.Flush(flushToDisk: true);
            }

            AuditFiles.SyncDirectory(directory);
        }

        if (last is not null)
        {
            return (last.Sequence, last.Hash, Path.GetFileName(path), DateOnly.FromDateTime(last.Entry.Timestamp.UtcDateTime), setAside);
        }

        // The newest segment is empty: the chain ends where the previous one (or its checkpoint) does.
        var previous = AuditFiles.ReadCheckpoints(directory).LastOrDefault(c => c.LastSequence == first - 1);
        return (first - 1, previous?.LastHash ?? LastHashBefore(segments), Path.GetFileName(path), null, setAside);
    }

    /// <summary>
    /// The byte offset after the last newline (anything after it is a torn write) and the newest
    /// entry that decodes. Whole lines are never cut, even if they do not decode: that is tampering,
    /// for <c>audit verify</c> to report, not for recovery to hide.
    /// </summary>
    internal static (int End, StoredAuditEntry? Last) LastWholeEntry(byte[] bytes)
    {
        var end = Array.LastIndexOf(bytes, (byte)'\n') + 1;
        var lineEnd = end - 1;
        while (lineEnd > 0)
        {
            var lineStart = Array.LastIndexOf(bytes, (byte)'\n', lineEnd - 1) + 1;
            if (AuditLineFormat.Decode(bytes.AsSpan(lineStart, lineEnd - lineStart)) is { } decoded)
            {
                return (end, decoded.Entry);
            }

            lineEnd = lineStart - 1;
        }

        return (end, null);
    }

    private static string LastHashBefore(List<(string Path, long FirstSequence)> segments)
    {
        for (var i = segments.Count - 2; i >= 0; i--)
        {
            if (LastWholeEntry(AuditFiles.ReadSegment(segments[i].Path)).Last is { } entry)
            {
                return entry.Hash;
            }
        }

        return AuditLineFormat.Genesis;
    }
}
