namespace HogGuard.Audit;

/// <summary>What kind of damage <c>audit verify</c> found.</summary>
public enum AuditTampering
{
    /// <summary>Nothing wrong was found.</summary>
    None,

    /// <summary>An entry's bytes changed (its hash no longer matches), or a line is not an entry.</summary>
    Edited,

    /// <summary>One or more entries are gone from the middle of a segment.</summary>
    Missing,

    /// <summary>Entries are out of order.</summary>
    Reordered,

    /// <summary>A closed segment ends before its checkpoint says it does.</summary>
    Truncated,

    /// <summary>A whole segment is gone.</summary>
    SegmentDeleted,

    /// <summary>An entry does not point at the hash of the one before it.</summary>
    ChainBroken,

    /// <summary>A checkpoint's or the head's HMAC does not match (forged or edited).</summary>
    CheckpointForged,

    /// <summary>A closed segment has no checkpoint (the checkpoint file was deleted or cut).</summary>
    CheckpointMissing,

    /// <summary>With a key: the log has entries but no signed head record (it was deleted).</summary>
    HeadMissing,
}

/// <summary>The outcome of verifying a log directory.</summary>
public sealed record AuditVerification(AuditTampering Problem, long? FirstBadSequence, string Detail, long Entries, int Segments, IReadOnlyList<string> TornFiles)
{
    /// <summary>No entry was changed, removed, reordered or added out of the chain.</summary>
    public bool IsIntact => Problem == AuditTampering.None;
}

/// <summary>
/// Checks the hash chain, the sequence, a checkpoint for every closed segment, and the head record
/// (the log may not end before it); with a key, every checkpoint and the head must carry a valid
/// HMAC and the head must exist.
/// </summary>
public static class AuditVerifier
{
    /// <summary>Checks the chain, the sequence, the checkpoints (signed with <paramref name="checkpointKey"/> when given) and the head record.</summary>
    public static AuditVerification Verify(string directory, byte[]? checkpointKey = null)
    {
        var segments = AuditFiles.Segments(directory);
        var checkpoints = AuditFiles.ReadCheckpoints(directory);
        var head = AuditFiles.ReadHead(directory);
        string? hashAtHead = null;
        var torn = Directory.EnumerateFiles(directory, "*.torn-*").Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToList();
        long entries = 0;
        AuditVerification Bad(AuditTampering problem, long? sequence, string detail) => new(problem, sequence, detail, entries, segments.Count, torn);

        foreach (var checkpoint in checkpoints)
        {
            if (checkpoint.LastSequence < 0)
            {
                return Bad(AuditTampering.CheckpointForged, null, "checkpoints.jsonl holds a line that is not a checkpoint");
            }

            if (checkpointKey is not null && checkpoint.Mac != AuditFiles.Mac(checkpointKey, checkpoint.Segment, checkpoint.LastSequence, checkpoint.LastHash))
            {
                return Bad(AuditTampering.CheckpointForged, checkpoint.LastSequence, $"the checkpoint of {checkpoint.Segment} does not carry a valid HMAC");
            }
        }

        if (head is not null)
        {
            if (head.LastSequence < 0)
            {
                return Bad(AuditTampering.CheckpointForged, null, $"{AuditFiles.HeadFile} is not a head record");
            }

            if (checkpointKey is not null && head.Mac != AuditFiles.HeadMac(checkpointKey, head.Segment, head.LastSequence, head.LastHash))
            {
                return Bad(AuditTampering.CheckpointForged, head.LastSequence, $"{AuditFiles.HeadFile} does not carry a valid HMAC");
            }
        }

        var expected = 1L;
        var previous = AuditLineFormat.Genesis;
        foreach (var (path, first) in segments)
        {
            var name = Path.GetFileName(path);
            if (first != expected)
            {
                return first > expected
                    ? Bad(AuditTampering.SegmentDeleted, expected, $"entries {expected} to {first - 1} are gone: the segment holding them was deleted")
                    : Bad(AuditTampering.Reordered, first, $"{name} starts at {first}, but {expected} was expected");
            }

            var bytes = AuditFiles.ReadSegment(path);
            var lines = SplitLines(bytes);
            for (var i = 0; i < lines.Count; i++)
            {
                var decoded = AuditLineFormat.Decode(lines[i].Span);
                if (decoded is null)
                {
                    return Bad(AuditTampering.Edited, expected, $"line {i + 1} of {name} is not an audit entry");
                }

                var (entry, hashMatches) = decoded.Value;
                if (entry.Sequence != expected)
                {
                    if (entry.Sequence > expected)
                    {
                        var next = i + 1 < lines.Count ? AuditLineFormat.Decode(lines[i + 1].Span)?.Entry.Sequence : null;
                        return next == expected
                            ? Bad(AuditTampering.Reordered, expected, $"entry {expected} comes after {entry.Sequence} in {name}")
                            : Bad(AuditTampering.Missing, expected, $"entry {expected} is missing from {name} (next is {entry.Sequence})");
                    }

                    return Bad(AuditTampering.Reordered, entry.Sequence, $"entry {entry.Sequence} appears again, or out of order, in {name}");
                }

                if (!hashMatches)
                {
                    return Bad(AuditTampering.Edited, entry.Sequence, $"entry {entry.Sequence} in {name} was changed after it was written");
                }

                if (entry.PreviousHash != previous)
                {
                    return Bad(AuditTampering.ChainBroken, entry.Sequence, $"entry {entry.Sequence} does not follow entry {entry.Sequence - 1}");
                }

                previous = entry.Hash;
                if (head is not null && entry.Sequence == head.LastSequence)
                {
                    hashAtHead = entry.Hash;
                }

                expected++;
                entries++;
            }

            if (path != segments[^1].Path && !checkpoints.Exists(c => c.Segment == name))
            {
                return Bad(AuditTampering.CheckpointMissing, expected - 1, $"{name} was closed but has no checkpoint: {AuditFiles.CheckpointFile} was deleted or cut");
            }

            if (checkpoints.Find(c => c.Segment == name) is { } closed)
            {
                if (expected - 1 < closed.LastSequence)
                {
                    return Bad(AuditTampering.Truncated, expected, $"{name} ends at {expected - 1}, but its checkpoint says {closed.LastSequence}: the tail was cut");
                }

                if (closed.LastHash != previous)
                {
                    return Bad(AuditTampering.Edited, closed.LastSequence, $"the last entry of {name} differs from its checkpoint");
                }
            }
        }

        foreach (var checkpoint in checkpoints.Where(c => !segments.Exists(s => Path.GetFileName(s.Path) == c.Segment)))
        {
            return Bad(AuditTampering.SegmentDeleted, null, $"{checkpoint.Segment} (up to entry {checkpoint.LastSequence}) is gone");
        }

        if (head is not null)
        {
            if (entries < head.LastSequence)
            {
                return Bad(AuditTampering.Truncated, entries + 1, $"the log ends at entry {entries}, but its head says {head.LastSequence}: the tail was cut");
            }

            // The sequence and hash are what count; the segment named is where the writer stood
            // (after a roll, the new, still empty one), kept for people reading the file.
            if (hashAtHead != head.LastHash)
            {
                return Bad(AuditTampering.Edited, head.LastSequence, $"entry {head.LastSequence} is not the one {AuditFiles.HeadFile} recorded");
            }
        }
        else if (checkpointKey is not null && entries > 0)
        {
            return Bad(AuditTampering.HeadMissing, null, $"{AuditFiles.HeadFile} is missing: a keyed log always has one once it holds entries (deleted to hide a cut or a rewrite)");
        }

        return new AuditVerification(AuditTampering.None, null, $"{entries} entries in {segments.Count} segment(s); chain intact", entries, segments.Count, torn);
    }

    /// <summary>Whole lines only; bytes after the last newline are a torn write, not an entry.</summary>
    internal static List<ReadOnlyMemory<byte>> SplitLines(byte[] bytes)
    {
        var lines = new List<ReadOnlyMemory<byte>>();
        var at = 0;
        while (at < bytes.Length)
        {
            var newline = Array.IndexOf(bytes, (byte)'\n', at);
            if (newline < 0)
            {
                break;
            }

            lines.Add(bytes.AsMemory(at, newline - at));
            at = newline + 1;
        }

        return lines;
    }
}
