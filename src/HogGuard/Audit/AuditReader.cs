namespace HogGuard.Audit;

/// <summary>Reads an audit log directory without changing it.</summary>
public static class AuditReader
{
    /// <summary>The newest <paramref name="count"/> entries as stored (JSON lines), oldest first.</summary>
    public static IReadOnlyList<string> Tail(string directory, int count)
    {
        var lines = new List<string>();
        foreach (var (path, _) in AuditFiles.Segments(directory).AsEnumerable().Reverse())
        {
            lines.InsertRange(0, AuditVerifier.SplitLines(AuditFiles.ReadSegment(path)).Select(l => System.Text.Encoding.UTF8.GetString(l.Span)));
            if (lines.Count >= count)
            {
                break;
            }
        }

        return lines.TakeLast(Math.Max(0, count)).ToList();
    }

    /// <summary>Stored lines of entries after <paramref name="sequence"/>, in order, with the newest sequence seen.</summary>
    public static (IReadOnlyList<string> Lines, long LastSequence) ReadAfter(string directory, long sequence)
    {
        var lines = new List<string>();
        var last = sequence;
        foreach (var (entry, line, _) in EntriesAfter(directory, sequence))
        {
            lines.Add(System.Text.Encoding.UTF8.GetString(line.Span));
            last = entry.Sequence;
        }

        return (lines, last);
    }

    /// <summary>
    /// Entries after <paramref name="sequence"/> with their stored bytes and whether the line still
    /// hashes to its stored hash, skipping whole segments that end before it.
    /// </summary>
    internal static IEnumerable<(StoredAuditEntry Entry, ReadOnlyMemory<byte> Line, bool HashMatches)> EntriesAfter(string directory, long sequence)
    {
        var segments = AuditFiles.Segments(directory);
        var last = sequence;
        for (var i = 0; i < segments.Count; i++)
        {
            if (i + 1 < segments.Count && segments[i + 1].FirstSequence <= sequence + 1)
            {
                continue;
            }

            foreach (var line in AuditVerifier.SplitLines(AuditFiles.ReadSegment(segments[i].Path)))
            {
                if (AuditLineFormat.Decode(line.Span) is { Entry: { } entry } decoded && entry.Sequence > last)
                {
                    last = entry.Sequence;
                    yield return (entry, line, decoded.HashMatches);
                }
            }
        }
    }

    /// <summary>Entries, segments, bytes and the newest entry.</summary>
    public static AuditStats Stats(string directory)
    {
        var segments = AuditFiles.Segments(directory);
        var last = segments.Count == 0 ? null : AuditRecovery.LastWholeEntry(AuditFiles.ReadSegment(segments[^1].Path)).Last;
        return new AuditStats(last?.Sequence ?? 0, segments.Count, segments.Sum(s => new FileInfo(s.Path).Length), last?.Entry.Timestamp);
    }
}

/// <summary>The size of an audit log.</summary>
public sealed record AuditStats(long Entries, int Segments, long Bytes, DateTimeOffset? LastEntry);
