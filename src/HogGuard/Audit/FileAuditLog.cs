using HogGuard.IO;

namespace HogGuard.Audit;

/// <summary>
/// The append-only, hash-chained, fsync'd audit log. One writer task takes every entry that is
/// waiting, appends them, and makes them durable with a single fsync (group commit); each
/// <see cref="WriteAsync"/> completes only then, or fails with the I/O error. Segments roll by size
/// and UTC day, each closed with a (optionally HMAC-signed) checkpoint. Opening after a crash sets a
/// torn last line aside in a side file and continues the chain from the last whole entry.
/// </summary>
// Over 300 lines on purpose: the writer thread, group commit, segment rolls, the head record and the
// cut-back after a failed batch share one state (segment, length, sequence, hash) that must change
// together under one lock; split across classes, that invariant would have no single place to read.
// What can stand alone already does: AuditLineFormat, AuditFiles, AuditRecovery, AuditDirectoryLock.
public sealed class FileAuditLog : IAuditLog, IAsyncDisposable
{
    private readonly AuditLogOptions _options;
    private readonly object _gate = new();
    private readonly Thread _writer;
    private List<Pending> _incoming = [];
    private int _wanted = 1;
    private bool _writerWaiting;
    private bool _closed;
    private Exception? _stopped;
    private FileStream _segment;
    private readonly ExclusiveFileLock _directoryLock;

    // Kept here: FileStream.Length asks the file system (fstat) on every call.
    private long _segmentLength;
    private string _segmentName;
    private DateOnly? _segmentDay;
    private long _lastSequence;
    private string _lastHash;

    /// <summary>Opens (or creates) the log, taking the directory's writer lock and recovering from a crash.</summary>
    public FileAuditLog(AuditLogOptions options)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        PrivateDirectory.Create(options.Directory);

        // One writer per directory, before recovery touches anything: two would both append after the
        // same last entry and acknowledge sequences the other overwrote.
        _directoryLock = AuditDirectoryLock.Acquire(options.Directory, options.LockWait, options.Time);
        try
        {
            (_lastSequence, _lastHash, _segmentName, _segmentDay, SetAside) = AuditRecovery.Recover(options.Directory, options.Time);
            _headSequence = AuditFiles.ReadHead(options.Directory) is { LastSequence: var head } && head <= _lastSequence ? head : 0;
            _segment = OpenSegment(_segmentName);
            _segmentLength = _segment.Length;
        }
        catch
        {
            _directoryLock.Dispose();
            throw;
        }

        // A dedicated thread, not the thread pool: it spends its life blocked in fsync, and waking it
        // is a monitor pulse rather than a queued work item.
        _writer = new Thread(WriteLoop) { IsBackground = true, Name = "HogGuard audit writer" };
        _writer.Start();
    }

    /// <summary>Set by opening: the side file a torn last line was moved to, if any.</summary>
    public string? SetAside { get; }

    /// <summary>The sequence number of the last durable entry (0 for an empty log).</summary>
    public long LastSequence => Interlocked.Read(ref _lastSequence);

    /// <exception cref="ArgumentException">The entry could never be shipped to PostHog (no user id or action); nothing was written.</exception>
    public Task<StoredAuditEntry> WriteAsync(AuditEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (entry.CaptureProblem is { } problem)
        {
            throw new ArgumentException($"audit entry refused: {problem}", nameof(entry));
        }

        // Redaction and JSON encoding happen here, on the caller's thread, in parallel; the single
        // writer only seals each line into the chain.
        var redacted = AuditRedactor.Redact(entry, _options.RedactKeys);
        var uuid = AuditUuid.NewVersion7(redacted.Timestamp);
        var pending = new Pending(redacted, uuid, AuditLineFormat.EncodeBody(redacted, uuid), new TaskCompletionSource<StoredAuditEntry>());
        lock (_gate)
        {
            if (_stopped is { } stopped)
            {
                throw new IOException($"the audit log in {_options.Directory} stopped: {stopped.Message}", stopped);
            }

            ObjectDisposedException.ThrowIf(_closed, this);
            _incoming.Add(pending);
            if (_writerWaiting && _incoming.Count >= _wanted)
            {
                Monitor.Pulse(_gate);
            }
        }

        return pending.Done.Task.WaitAsync(cancellationToken);
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            _closed = true;
            Monitor.Pulse(_gate);
        }

        await Task.Factory.StartNew(_writer.Join, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).ConfigureAwait(false);
        await _segment.DisposeAsync().ConfigureAwait(false);
        _directoryLock.Dispose();
    }

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1031", Justification = "The writer thread must hand any failure to every waiting caller instead of dying silently.")]
    private void WriteLoop()
    {
        var batch = new List<Pending>();
        var lastBatch = 0;
        try
        {
            while (true)
            {
                var headDue = false;
                lock (_gate)
                {
                    while (_incoming.Count == 0 && !_closed)
                    {
                        // Idle with a head that lags: write it once its interval has passed, unless
                        // entries arrive first (then it goes out after their commit).
                        if (_lastSequence > _headSequence)
                        {
                            var left = HeadInterval - TimeSpan.FromMilliseconds(Environment.TickCount64 - _headTick);
                            if (left <= TimeSpan.Zero)
                            {
                                headDue = true;
                                break;
                            }

                            _writerWaiting = true;
                            Monitor.Wait(_gate, left);
                            _writerWaiting = false;
                            continue;
                        }

                        _writerWaiting = true;
                        Monitor.Wait(_gate);
                        _writerWaiting = false;
                    }

                    if (!headDue && _incoming.Count == 0)
                    {
                        WriteHead();
                        return;
                    }
                }

                if (headDue)
                {
                    WriteHead();
                    continue;
                }

                lock (_gate)
                {
                    // The small bounded wait of group commit: the writers whose entries were just
                    // acknowledged are about to send their next ones, so sleep until as many are
                    // queued as the last batch held, or StragglerWait passes. A lone writer never waits.
                    if (_options.GroupCommitDelay == TimeSpan.Zero && _incoming.Count < lastBatch && !_closed)
                    {
                        _wanted = lastBatch;
                        _writerWaiting = true;
                        Monitor.Wait(_gate, StragglerWait);
                        _writerWaiting = false;
                        _wanted = 1;
                    }
                }

                if (_options.GroupCommitDelay > TimeSpan.Zero)
                {
#pragma warning disable RS0030 // The writer owns a dedicated thread: it waits there, no pool thread is held.
                    Thread.Sleep(_options.GroupCommitDelay);
#pragma warning restore RS0030
                }

                lock (_gate)
                {
                    (batch, _incoming) = (_incoming, batch);
                }

                lastBatch = batch.Count;
                Commit(batch);
                batch.Clear();
                if (_lastSequence > _headSequence && Environment.TickCount64 - _headTick >= HeadInterval.TotalMilliseconds)
                {
                    WriteHead();
                }
            }
        }
        catch (Exception e)
        {
            // A writer that dies must not leave callers waiting for ever: refuse everything from now on.
            List<Pending> waiting;
            lock (_gate)
            {
                _stopped = e;
                (waiting, _incoming) = (_incoming, []);
            }

            var error = new IOException($"the audit log in {_options.Directory} stopped: {e.Message}", e);
            foreach (var pending in waiting)
            {
                pending.Done.TrySetException(error);
            }
        }
    }

    private static readonly TimeSpan StragglerWait = TimeSpan.FromMilliseconds(1);

    /// <summary>The head is rewritten at most this often (each rewrite is a temp file, two fsyncs and a rename).</summary>
    private static readonly TimeSpan HeadInterval = TimeSpan.FromMilliseconds(100);

    private long _headSequence;
    private long _headTick;

    /// <summary>
    /// Records where the durable log stands in <c>head.json</c> (signed with the checkpoint key), so
    /// a cut tail of the active segment, or a deleted checkpoint file, is seen by verify. It may lag
    /// the log; a failure to write it leaves it lagging, never stops the log.
    /// </summary>
    private void WriteHead()
    {
        if (_lastSequence == 0 || _lastSequence <= _headSequence)
        {
            return;
        }

        var (sequence, hash, segment) = (_lastSequence, _lastHash, _segmentName);
        try
        {
            AtomicFile.Write(Path.Combine(_options.Directory, AuditFiles.HeadFile), s => s.Write(AuditFiles.HeadLine(segment, sequence, hash, _options.CheckpointKey)), UnixFileMode.UserRead | UnixFileMode.UserWrite);
            _headSequence = sequence;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }

        _headTick = Environment.TickCount64;
    }

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1031", Justification = "Any failure mid-batch cuts the segment back to the last durable entry and fails the batch's callers with it.")]
    private void Commit(List<Pending> batch)
    {
        var start = _segmentLength;
        var (sequence, hash) = (_lastSequence, _lastHash);
        var written = new (Pending Pending, StoredAuditEntry Stored)[batch.Count];
        try
        {
            foreach (var pending in batch)
            {
                var entry = pending.Entry;
                var day = DateOnly.FromDateTime(entry.Timestamp.UtcDateTime);
                var uuid = pending.Uuid;
                var (line, entryHash) = AuditLineFormat.Seal(pending.Body, sequence + 1, hash);
                if (_segmentLength > 0 && (_segmentLength + line.Length > _options.MaxSegmentBytes || (_segmentDay is { } current && current != day)))
                {
                    Durable();
                    Roll(sequence, hash);
                    start = 0;
                }

                _segment.Write(line);
                _segmentLength += line.Length;
                _segmentDay = day;
                written[(int)(sequence - _lastSequence)] = (pending, new StoredAuditEntry(entry, uuid, sequence + 1, hash, entryHash));
                sequence++;
                hash = entryHash;
            }

            Durable();
        }
        catch (Exception e)
        {
            // Nothing half-written stays behind: cut back to the last durable entry, fail every waiter.
            try
            {
                _segment.SetLength(start);
                _segment.Flush(flushToDisk: true);
            }
            catch (IOException)
            {
            }

            try
            {
                _segmentLength = _segment.Length;
            }
            catch (IOException)
            {
                _segmentLength = start;
            }

            var failed = batch.ToArray();
            var error = new IOException($"the audit entry was not written to {_options.Directory}: {e.Message}", e);
            ThreadPool.UnsafeQueueUserWorkItem(
                static state =>
                {
                    foreach (var pending in state.Failed)
                    {
                        pending.Done.TrySetException(state.Error);
                    }
                },
                (Failed: failed, Error: error),
                preferLocal: false);
            return;
        }

        (_lastSequence, _lastHash) = (sequence, hash);
        Telemetry.HogGuardTelemetry.AuditEntries.Add(written.Length);

        // A few thread-pool hops per batch, not one per entry: the waiters' continuations run there,
        // a share per core, never on the writer (so a slow caller cannot stall the log).
        var shares = Math.Clamp(written.Length / 16, 1, Environment.ProcessorCount);
        var size = (written.Length + shares - 1) / shares;
        for (var from = 0; from < written.Length; from += size)
        {
            ThreadPool.UnsafeQueueUserWorkItem(
                static share =>
                {
                    foreach (var (pending, stored) in share.Span)
                    {
                        pending.Done.TrySetResult(stored);
                    }
                },
                new ReadOnlyMemory<(Pending, StoredAuditEntry)>(written, from, Math.Min(size, written.Length - from)),
                preferLocal: false);
        }
    }

    private void Durable()
    {
        if (_options.Durability == AuditDurability.Fsync)
        {
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            _segment.Flush(flushToDisk: true);
            Telemetry.HogGuardTelemetry.AuditFsyncDuration.Record(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds);
        }
        else
        {
            _segment.Flush();
        }
    }

    private void Roll(long lastSequence, string lastHash)
    {
        var checkpoint = AuditFiles.CheckpointLine(_segmentName, lastSequence, lastHash, _options.CheckpointKey);
        using (var file = new FileStream(Path.Combine(_options.Directory, AuditFiles.CheckpointFile), FileMode.Append, FileAccess.Write, FileShare.Read))
        {
            file.Write(checkpoint);
            file.Flush(flushToDisk: true);
        }

        _segment.Dispose();
        _segmentName = AuditFiles.SegmentName(lastSequence + 1);
        _segment = OpenSegment(_segmentName);
        _segmentLength = 0;
        AuditFiles.SyncDirectory(_options.Directory);
    }

    private FileStream OpenSegment(string name)
    {
        var options = new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.Write, Share = FileShare.Read, BufferSize = 1 << 16 };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        var stream = new FileStream(Path.Combine(_options.Directory, name), options);
        stream.Seek(0, SeekOrigin.End);
        return stream;
    }

    private sealed record Pending(AuditEntry Entry, Guid Uuid, byte[] Body, TaskCompletionSource<StoredAuditEntry> Done);
}
