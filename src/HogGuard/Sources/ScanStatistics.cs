namespace HogGuard.Sources;

/// <summary>Counters a scan keeps while it runs; safe to update from many threads.</summary>
public sealed class ScanStatistics
{
    /// <summary>What <see cref="Files"/> counts: files, git blobs, or one input stream.</summary>
    public ScanUnit Unit { get; internal init; }

    /// <summary>How many files or blobs the scan will read, once it knows (for progress); null before.</summary>
    public long? Total
    {
        get { var total = Interlocked.Read(ref _total); return total < 0 ? null : total; }
        internal set => Interlocked.Exchange(ref _total, value ?? -1);
    }

    private long _total = -1;

    private long _files;
    private long _bytes;
    private long _binary;
    private long _tooLarge;
    private long _missing;

    /// <summary>Files or blobs whose content was scanned.</summary>
    public long Files => Interlocked.Read(ref _files);

    /// <summary>Files or blobs dealt with so far: scanned, or skipped as binary or too large (for progress against <see cref="Total"/>).</summary>
    public long Done => Files + SkippedBinary + SkippedTooLarge;

    /// <summary>Bytes of content scanned.</summary>
    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>Files or blobs skipped because their content is binary.</summary>
    public long SkippedBinary => Interlocked.Read(ref _binary);

    /// <summary>Files or blobs skipped because they exceed the size limit.</summary>
    public long SkippedTooLarge => Interlocked.Read(ref _tooLarge);

    /// <summary>Objects a history scan could not read (partial or damaged clones).</summary>
    public long MissingObjects => Interlocked.Read(ref _missing);

    internal void AddScanned(long bytes)
    {
        Interlocked.Increment(ref _files);
        Interlocked.Add(ref _bytes, bytes);
    }

    internal void AddBytes(long bytes) => Interlocked.Add(ref _bytes, bytes);

    internal void AddBinary() => Interlocked.Increment(ref _binary);

    internal void AddTooLarge() => Interlocked.Increment(ref _tooLarge);

    internal void AddMissing() => Interlocked.Increment(ref _missing);

    /// <summary>Files or folders that could not be read (permissions, I/O errors): their content is unknown.</summary>
    public long Unreadable => Interlocked.Read(ref _unreadable);

    private long _unreadable;

    internal void AddUnreadable() => Interlocked.Increment(ref _unreadable);

    /// <summary>For a history scan of a shallow clone, how many commits it holds; null for a complete history.</summary>
    public long? ShallowCommits { get; internal set; }

    /// <summary>The history scanned is a partial clone, whose missing blobs are expected (they live on its promisor remote).</summary>
    public bool PartialClone { get; internal set; }
}
