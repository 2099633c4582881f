using System.Globalization;
using HogGuard.PostHogApi;
using HogGuard.IO;

namespace HogGuard.Audit;

/// <summary>
/// Ships the audit log to PostHog's <c>/batch/</c>, one event per entry with the entry's uuid and
/// timestamp (so a retry is the same event and PostHog can drop the duplicate). It reads the log's
/// files from a durable cursor (<c>ship.cursor</c>), never touching the writer; the cursor moves only
/// after PostHog answered 200, so a crash or restart resends, never skips. Capture refuses a whole
/// batch for one bad event (400, <c>rust/capture/src/api.rs</c>); the shipper then finds the entries
/// capture refuses (by its own rules, else by halving the batch), ships the others, and lists the
/// refused ones by sequence in <c>ship.refused</c> (they stay in the local log) instead of stopping forever.
/// </summary>
public sealed class AuditShipper
{
    /// <summary>The file, in the log directory, that holds the last sequence PostHog confirmed.</summary>
    public const string CursorFile = "ship.cursor";

    /// <summary>Entries PostHog's capture refused: one line per entry, its sequence, a tab, the reason.</summary>
    public const string RefusedFile = "ship.refused";

    private readonly string _directory;
    private readonly CaptureTransport _transport;
    private readonly string _eventName;
    private readonly int _batchSize;

    /// <summary>A shipper of the log in <paramref name="directory"/> to capture on <paramref name="host"/> (the ingestion host), as <paramref name="eventName"/> events of the project <paramref name="projectToken"/>.</summary>
    public AuditShipper(string directory, PostHogClient client, Uri host, string projectToken, string eventName = "hogguard_audit_entry", int batchSize = 100)
        : this(directory, new CaptureTransport(client, host, projectToken), eventName, batchSize)
    {
    }

    /// <summary>A shipper of the log in <paramref name="directory"/> through <paramref name="transport"/>, as <paramref name="eventName"/> events.</summary>
    public AuditShipper(string directory, CaptureTransport transport, string eventName = "hogguard_audit_entry", int batchSize = 100)
    {
        ArgumentNullException.ThrowIfNull(transport);
        _directory = directory;

        // A service may start shipping before anything was logged: the folder it will ship from is
        // created (owner-only), as the log itself would create it, rather than failing the host.
        PrivateDirectory.Create(directory);
        _transport = transport;
        _eventName = string.IsNullOrWhiteSpace(eventName) ? throw new ArgumentException("the event name is empty; PostHog's capture refuses events without one", nameof(eventName)) : eventName;
        _batchSize = batchSize > 0 ? batchSize : throw new ArgumentOutOfRangeException(nameof(batchSize));
    }

    /// <summary>The last sequence PostHog has confirmed.</summary>
    public long Cursor => ReadCursor(_directory);

    /// <summary>Entries written but not yet confirmed by PostHog.</summary>
    public long Lag => Math.Max(0, AuditReader.Stats(_directory).Entries - Cursor);

    /// <summary>The sequences PostHog's capture refused in the last round (also listed in <see cref="RefusedFile"/>).</summary>
    public IReadOnlyList<long> LastRefused => _refused;

    private List<long> _refused = [];

    private long _shipped;

    /// <summary>Sends everything after the cursor; returns how many entries were confirmed, or the failure that stopped it.</summary>
    public async Task<(long Shipped, ApiResult<bool>? Failure)> ShipOnceAsync(CancellationToken cancellationToken = default)
    {
        var round = await ShipRoundAsync(cancellationToken).ConfigureAwait(false);

        // A round that went through read up to the newest entry, so its lag is what that read saw past
        // the cursor (no second read of the log); only a failed round, which stopped early, counts the log.
        Telemetry.HogGuardTelemetry.AuditShippingLag.Record(round.Failure is null ? Math.Max(0, _lastRead - Cursor) : Lag);
        return round;
    }

    /// <summary>The sequence of the last entry the current round read (the cursor when it read none).</summary>
    private long _lastRead;

    private async Task<(long Shipped, ApiResult<bool>? Failure)> ShipRoundAsync(CancellationToken cancellationToken)
    {
        var cursor = Cursor;
        _shipped = 0;
        _refused = [];
        _lastRead = cursor;
        var batch = new List<StoredAuditEntry>(_batchSize);
        foreach (var (entry, _, _) in AuditReader.EntriesAfter(_directory, cursor))
        {
            _lastRead = entry.Sequence;
            batch.Add(entry);
            if (batch.Count == _batchSize)
            {
                if (await ProcessAsync(batch, cancellationToken).ConfigureAwait(false) is { } failure)
                {
                    return (_shipped, failure);
                }

                batch.Clear();
            }
        }

        if (batch.Count > 0 && await ProcessAsync(batch, cancellationToken).ConfigureAwait(false) is { } last)
        {
            return (_shipped, last);
        }

        return (_shipped, null);
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

    /// <summary>
    /// Ships a run of entries, then moves the cursor past it. Entries capture would refuse are set
    /// aside; on a 400 the run is halved until each refused entry stands alone. Any other failure
    /// stops with the cursor after the last run fully dealt with.
    /// </summary>
    private async Task<ApiResult<bool>?> ProcessAsync(List<StoredAuditEntry> part, CancellationToken cancellationToken)
    {
        var refused = part.Where(e => e.Entry.CaptureProblem is not null).Select(e => (e.Sequence, Reason: e.Entry.CaptureProblem!)).ToList();
        var send = part.Where(e => e.Entry.CaptureProblem is null).ToList();
        if (send.Count > 0)
        {
            var result = await _transport.SendAsync(send.ConvertAll(ToEvent), cancellationToken).ConfigureAwait(false);
            if (!result.IsOk)
            {
                if (result.Status != 400)
                {
                    return result;
                }

                if (part.Count > 1)
                {
                    var half = part.Count / 2;
                    return await ProcessAsync(part[..half], cancellationToken).ConfigureAwait(false)
                        ?? await ProcessAsync(part[half..], cancellationToken).ConfigureAwait(false);
                }

                refused.Add((part[0].Sequence, $"PostHog's capture refused it: {result.Detail ?? "HTTP 400"}"));
            }
            else
            {
                _shipped += send.Count;
            }
        }

        if (refused.Count > 0)
        {
            RecordRefused(refused);
        }

        var last = part[^1].Sequence;
        AtomicFile.Write(Path.Combine(_directory, CursorFile), s => s.Write(System.Text.Encoding.ASCII.GetBytes(last.ToString(CultureInfo.InvariantCulture))));
        return null;
    }

    /// <summary>Adds refused entries to <see cref="RefusedFile"/> (rewritten atomically, before the cursor passes them).</summary>
    private void RecordRefused(List<(long Sequence, string Reason)> refused)
    {
        var path = Path.Combine(_directory, RefusedFile);
        var lines = ReadRefusedLines(_directory);
        var known = lines.Select(l => l.Split('\t')[0]).ToHashSet(StringComparer.Ordinal);
        foreach (var (sequence, reason) in refused)
        {
            var key = sequence.ToString(CultureInfo.InvariantCulture);
            if (known.Add(key))
            {
                lines.Add($"{key}\t{reason.ReplaceLineEndings(" ").Replace('\t', ' ')}");
            }

            _refused.Add(sequence);
        }

        AtomicFile.Write(path, s => s.Write(System.Text.Encoding.UTF8.GetBytes(string.Concat(lines.Select(l => l + "\n")))));
    }

    /// <summary>The sequences listed in <see cref="RefusedFile"/>.</summary>
    internal static HashSet<long> ReadRefused(string directory) =>
        [.. ReadRefusedLines(directory)
            .Select(l => long.TryParse(l.Split('\t')[0], NumberStyles.None, CultureInfo.InvariantCulture, out var sequence) ? sequence : -1)
            .Where(s => s >= 0)];

    private static List<string> ReadRefusedLines(string directory)
    {
        var path = Path.Combine(directory, RefusedFile);
        return File.Exists(path) ? File.ReadAllLines(path).Where(l => l.Length > 0).ToList() : [];
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

    internal static long ReadCursor(string directory)
    {
        var path = Path.Combine(directory, CursorFile);
        if (!File.Exists(path))
        {
            return 0;
        }

        // A damaged cursor must not silently become 0: that would ship the whole log again.
        var text = RegularFile.ReadAllText(path, 64).Trim();
        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new InvalidDataException($"{path} does not hold a sequence number; nothing was shipped. Write the last sequence PostHog has (see 'hogguard audit tail'), or 0 to ship everything again");
    }
}
