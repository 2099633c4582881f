using System.Globalization;
using HogGuard.Configuration;
using HogGuard.PostHogApi;

namespace HogGuard.Audit;

/// <summary>
/// Ships the audit log to PostHog's <c>/batch/</c>, one event per entry with the entry's uuid and
/// timestamp (so a retry is the same event and PostHog can drop the duplicate). It reads the log's
/// files from a durable cursor (<c>ship.cursor</c>), never touching the writer; the cursor moves only
/// after PostHog answered 200, so a crash or restart resends, never skips.
/// </summary>
public sealed class AuditShipper
{
    public const string CursorFile = "ship.cursor";

    private readonly string _directory;
    private readonly CaptureTransport _transport;
    private readonly string _eventName;
    private readonly int _batchSize;

    public AuditShipper(string directory, PostHogClient client, Uri host, string projectToken, string eventName = "hogguard_audit_entry", int batchSize = 100)
    {
        _directory = directory;
        _transport = new CaptureTransport(client, host, projectToken);
        _eventName = eventName;
        _batchSize = batchSize > 0 ? batchSize : throw new ArgumentOutOfRangeException(nameof(batchSize));
    }

    /// <summary>The last sequence PostHog has confirmed.</summary>
    public long Cursor => ReadCursor(_directory);

    /// <summary>Entries written but not yet confirmed by PostHog.</summary>
    public long Lag => Math.Max(0, AuditReader.Stats(_directory).Entries - Cursor);

    /// <summary>Sends everything after the cursor; returns how many entries were confirmed, or the failure that stopped it.</summary>
    public async Task<(long Shipped, ApiResult<bool>? Failure)> ShipOnceAsync(CancellationToken cancellationToken = default)
    {
        var cursor = Cursor;
        long shipped = 0;
        var batch = new List<StoredAuditEntry>(_batchSize);
        foreach (var (entry, _) in AuditReader.EntriesAfter(_directory, cursor))
        {
            batch.Add(entry);
            if (batch.Count == _batchSize)
            {
                if (await SendAsync(batch, cancellationToken).ConfigureAwait(false) is { } failure)
                {
                    return (shipped, failure);
                }

                shipped += batch.Count;
                batch.Clear();
            }
        }

        if (batch.Count > 0)
        {
            if (await SendAsync(batch, cancellationToken).ConfigureAwait(false) is { } failure)
            {
                return (shipped, failure);
            }

            shipped += batch.Count;
        }

        return (shipped, null);
    }

    /// <summary>Ships every <paramref name="interval"/> until cancelled; failures wait for the next round.</summary>
    public async Task RunAsync(TimeSpan interval, TimeProvider? time = null, CancellationToken cancellationToken = default)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            await ShipOnceAsync(cancellationToken).ConfigureAwait(false);
            await Task.Delay(interval, time ?? TimeProvider.System, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<ApiResult<bool>?> SendAsync(List<StoredAuditEntry> batch, CancellationToken cancellationToken)
    {
        var result = await _transport.SendAsync(batch.ConvertAll(ToEvent), cancellationToken).ConfigureAwait(false);
        if (!result.IsOk)
        {
            return result;
        }

        var last = batch[^1].Sequence;
        AtomicFile.Write(Path.Combine(_directory, CursorFile), s => s.Write(System.Text.Encoding.ASCII.GetBytes(last.ToString(CultureInfo.InvariantCulture))));
        return null;
    }

    private CaptureEvent ToEvent(StoredAuditEntry stored)
    {
        var e = stored.Entry;
        return new CaptureEvent(_eventName, e.UserId, stored.Uuid, e.Timestamp, writer =>
        {
            writer.WriteString("action", e.Action);
            writer.WriteString("resource", e.Resource);
            writer.WriteString("result", e.Result == AuditOutcome.Success ? "success" : "failure");
            writer.WriteNumber("sequence", stored.Sequence);
            writer.WriteString("hash", stored.Hash);
            writer.WriteStartObject("metadata");
            foreach (var (key, value) in e.Metadata)
            {
                writer.WriteString(key, value);
            }

            writer.WriteEndObject();
        });
    }

    private static long ReadCursor(string directory)
    {
        var path = Path.Combine(directory, CursorFile);
        return File.Exists(path) && long.TryParse(File.ReadAllText(path).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : 0;
    }
}
