using System.Threading.Channels;

namespace HogGuard.Audit;

/// <summary>
/// The append-only, hash-chained, fsync'd audit log. One writer task takes every entry that is
/// waiting, appends them, and makes them durable with a single fsync (group commit); each
/// <see cref="WriteAsync"/> completes only then, or fails with the I/O error. Segments roll by size
/// and UTC day, each closed with a (optionally HMAC-signed) checkpoint. Opening after a crash sets a
/// torn last line aside in a side file and continues the chain from the last whole entry.
/// </summary>
public sealed class FileAuditLog : IAuditLog, IAsyncDisposable
{
    private readonly AuditLogOptions _options;
    private readonly TimeProvider _time;
    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _writer;
    private FileStream _segment;
    private string _segmentName;
    private DateOnly? _segmentDay;
    private long _lastSequence;
    private string _lastHash;

    public FileAuditLog(AuditLogOptions options, TimeProvider? time = null)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _time = time ?? TimeProvider.System;
        Directory.CreateDirectory(options.Directory);
        (_lastSequence, _lastHash, _segmentName, _segmentDay, SetAside) = AuditRecovery.Recover(options.Directory);
        _segment = OpenSegment(_segmentName);
        _writer = Task.Run(WriteLoopAsync);
    }

    /// <summary>Set by opening: the side file a torn last line was moved to, if any.</summary>
    public string? SetAside { get; }

    public long LastSequence => Interlocked.Read(ref _lastSequence);

    public Task<StoredAuditEntry> WriteAsync(AuditEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        // Redaction and JSON encoding happen here, on the caller's thread, in parallel; the single
        // writer only seals each line into the chain.
        var redacted = AuditRedactor.Redact(entry, _options.RedactKeys);
        var uuid = Guid.CreateVersion7(redacted.Timestamp);
        var pending = new Pending(redacted, uuid, AuditLineFormat.EncodeBody(redacted, uuid), new TaskCompletionSource<StoredAuditEntry>());
        if (!_queue.Writer.TryWrite(pending))
        {
            throw new ObjectDisposedException(nameof(FileAuditLog), "the audit log is closed");
        }

        return pending.Done.Task.WaitAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _writer.ConfigureAwait(false);
        await _segment.DisposeAsync().ConfigureAwait(false);
    }

    private async Task WriteLoopAsync()
    {
        try
        {
            await CommitLoopAsync().ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // A writer that dies must not leave callers waiting for ever: refuse everything from now on.
            _queue.Writer.TryComplete(e);
            while (_queue.Reader.TryRead(out var pending))
            {
                pending.Done.TrySetException(new IOException($"the audit log in {_options.Directory} stopped: {e.Message}", e));
            }
        }
    }

    private async Task CommitLoopAsync()
    {
        var batch = new List<Pending>();
        while (await _queue.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            if (_options.GroupCommitDelay > TimeSpan.Zero)
            {
                await Task.Delay(_options.GroupCommitDelay, _time).ConfigureAwait(false);
            }

            batch.Clear();
            while (_queue.Reader.TryRead(out var pending))
            {
                batch.Add(pending);
            }

            Commit(batch);
        }
    }

    private void Commit(List<Pending> batch)
    {
        var start = _segment.Length;
        var (sequence, hash) = (_lastSequence, _lastHash);
        var written = new List<(Pending Pending, StoredAuditEntry Stored)>(batch.Count);
        try
        {
            foreach (var pending in batch)
            {
                var entry = pending.Entry;
                var day = DateOnly.FromDateTime(entry.Timestamp.UtcDateTime);
                var uuid = pending.Uuid;
                var (line, entryHash) = AuditLineFormat.Seal(pending.Body, sequence + 1, hash);
                if (_segment.Length > 0 && (_segment.Length + line.Length > _options.MaxSegmentBytes || (_segmentDay is { } current && current != day)))
                {
                    Durable();
                    Roll(sequence, hash);
                    start = 0;
                }

                _segment.Write(line);
                _segmentDay = day;
                written.Add((pending, new StoredAuditEntry(entry, uuid, sequence + 1, hash, entryHash)));
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

        // One thread-pool hop per batch, not per entry: the waiters' continuations run there, one
        // after another, never on the writer (so a slow caller cannot stall the log).
        ThreadPool.UnsafeQueueUserWorkItem(
            static done =>
            {
                foreach (var (pending, stored) in done)
                {
                    pending.Done.TrySetResult(stored);
                }
            },
            written,
            preferLocal: false);
    }

    private void Durable()
    {
        if (_options.Durability == AuditDurability.Fsync)
        {
            _segment.Flush(flushToDisk: true);
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
