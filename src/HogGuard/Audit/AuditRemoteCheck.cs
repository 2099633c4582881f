using System.Globalization;
using System.Text.Json;
using HogGuard.Keys;
using HogGuard.PostHogApi;

namespace HogGuard.Audit;

/// <summary>One audit event as PostHog holds it.</summary>
/// <param name="Sequence">The entry's sequence number (its <c>sequence</c> property).</param>
/// <param name="Uuid">The event's uuid, which the shipper sets to the entry's.</param>
/// <param name="Hash">The entry's chain hash (its <c>hash</c> property).</param>
public sealed record RemoteAuditEntry(long Sequence, string Uuid, string Hash);

/// <summary>How the local log and PostHog's copy of it compare, each difference by sequence number.</summary>
/// <param name="MissingLocally">Entries PostHog holds that the local log no longer has (deleted, or the log cut short).</param>
/// <param name="Differ">Entries PostHog holds with another uuid or hash than the local one (edited here, or re-chained).</param>
/// <param name="NeverReceived">Entries the shipper's cursor says PostHog confirmed, which PostHog does not have.</param>
/// <param name="LocalEntries">Entries in the local log.</param>
/// <param name="RemoteEntries">Distinct entries PostHog holds.</param>
/// <param name="Cursor">The last sequence the shipper recorded as confirmed.</param>
public sealed record AuditComparison(IReadOnlyList<long> MissingLocally, IReadOnlyList<long> Differ, IReadOnlyList<long> NeverReceived, long LocalEntries, long RemoteEntries, long Cursor)
{
    /// <summary>Nothing differs: every shipped entry is in PostHog as it is written here.</summary>
    public bool Matches => MissingLocally.Count == 0 && Differ.Count == 0 && NeverReceived.Count == 0;
}

/// <summary>
/// Checks the local audit log against the copy the shipper sent to PostHog, through PostHog's query
/// API (<c>POST /api/projects/{id}/query/</c>, a HogQL query, personal key with <c>query:read</c>):
/// the second copy proves what the local chain alone cannot, such as a log rewritten and re-chained
/// from some entry on, or cut short.
/// </summary>
public static class AuditRemoteCheck
{
    /// <summary>Rows a page asks for; paging is by sequence, so a page shorter than this is the last.</summary>
    public const int PageSize = 1000;

    /// <summary>
    /// The HogQL query, with the placeholders <c>{event}</c> (the audit event name) and
    /// <c>{after}</c> (the last sequence of the previous page, 0 for the first).
    /// </summary>
    public const string Query =
        "SELECT toString(uuid), toInt(properties.sequence), toString(properties.hash) FROM events "
        + "WHERE event = {event} AND toInt(properties.sequence) > {after} "
        + "ORDER BY toInt(properties.sequence), toString(uuid) LIMIT 1000";

    /// <summary>Every audit event PostHog holds for <paramref name="eventName"/> in project <paramref name="projectId"/>, in sequence order.</summary>
    public static async Task<ApiResult<List<RemoteAuditEntry>>> FetchAsync(PostHogClient client, Uri host, int projectId, PostHogSecret personalKey, string eventName, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        var all = new List<RemoteAuditEntry>();
        long after = 0;
        while (true)
        {
            var page = await client.SendAsync(host, HttpMethod.Post, $"api/projects/{projectId}/query/", personalKey, RequestBody(eventName, after), cancellationToken).ConfigureAwait(false);
            if (!page.IsOk)
            {
                return new ApiResult<List<RemoteAuditEntry>>(page.Outcome, page.Status, page.Detail, null, page.Host) { MissingScope = page.MissingScope };
            }

            if (page.Status == 202)
            {
                return new ApiResult<List<RemoteAuditEntry>>(ApiOutcome.Failed, 202, "PostHog queued the query to run asynchronously (202) although a blocking answer was asked for (refresh: force_blocking); HogGuard does not wait for queued queries, so run the check again", null, page.Host);
            }

            if (ReadRows(page.Value) is not { } rows)
            {
                return new ApiResult<List<RemoteAuditEntry>>(ApiOutcome.Failed, page.Status, "the query answer holds no 'results' rows of uuid, sequence and hash; is this PostHog's query API?", null, page.Host);
            }

            all.AddRange(rows);
            if (rows.Count < PageSize || rows[^1].Sequence <= after)
            {
                return new ApiResult<List<RemoteAuditEntry>>(ApiOutcome.Ok, page.Status, null, all, page.Host);
            }

            after = rows[^1].Sequence;
        }
    }

    /// <summary>The request body for one page: a HogQL query with its values, computed afresh (never from PostHog's cache).</summary>
    public static string RequestBody(string eventName, long after)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartObject("query");
            writer.WriteString("kind", "HogQLQuery");
            writer.WriteString("query", Query);
            writer.WriteStartObject("values");
            writer.WriteString("event", eventName);
            writer.WriteNumber("after", after);
            writer.WriteEndObject();
            writer.WriteEndObject();
            writer.WriteString("refresh", "force_blocking");
            writer.WriteString("name", "hogguard audit verify");
            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>The <c>results</c> rows of a HogQL answer; null when the answer is not of that shape. A sequence may come as a number or a string.</summary>
    internal static List<RemoteAuditEntry>? ReadRows(JsonElement answer)
    {
        if (answer.ValueKind != JsonValueKind.Object || !answer.TryGetProperty("results", out var results) || results.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        var rows = new List<RemoteAuditEntry>();
        foreach (var row in results.EnumerateArray())
        {
            if (row.ValueKind != JsonValueKind.Array || row.GetArrayLength() < 3)
            {
                return null;
            }

            var sequence = row[1] switch
            {
                { ValueKind: JsonValueKind.Number } n when n.TryGetInt64(out var v) => v,
                { ValueKind: JsonValueKind.String } s when long.TryParse(s.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out var v) => v,
                _ => (long?)null,
            };
            if (sequence is null || row[0].ValueKind != JsonValueKind.String)
            {
                continue; // an event of that name that is not one of ours
            }

            rows.Add(new RemoteAuditEntry(sequence.Value, row[0].GetString()!, row[2].ValueKind == JsonValueKind.String ? row[2].GetString()! : string.Empty));
        }

        return rows;
    }

    /// <summary>Compares the log in <paramref name="directory"/> with what PostHog holds.</summary>
    /// <remarks>
    /// A local entry counts as written when its line still hashes to its stored hash; an entry edited
    /// in place (hash left alone) therefore differs from PostHog's copy too, not only from the chain.
    /// Entries the shipper listed as refused by capture (<c>ship.refused</c>) are not expected in PostHog.
    /// </remarks>
    public static AuditComparison Compare(string directory, IReadOnlyList<RemoteAuditEntry> remote)
    {
        ArgumentNullException.ThrowIfNull(remote);
        var local = new Dictionary<long, (string Uuid, string? Hash)>();
        foreach (var (entry, _, hashMatches) in AuditReader.EntriesAfter(directory, 0))
        {
            local[entry.Sequence] = (entry.Uuid.ToString(), hashMatches ? entry.Hash : null);
        }

        // A damaged cursor is an error, as for shipping: read as 0 it would hide every entry never received.
        var cursor = AuditShipper.ReadCursor(directory);
        var refused = AuditShipper.ReadRefused(directory);
        var byRemote = remote.GroupBy(r => r.Sequence).ToDictionary(g => g.Key, g => g.Select(r => (r.Uuid, r.Hash)).Distinct().ToList());
        var missing = new List<long>();
        var differ = new List<long>();
        foreach (var (sequence, copies) in byRemote.OrderBy(p => p.Key))
        {
            if (!local.TryGetValue(sequence, out var here))
            {
                missing.Add(sequence);
            }
            else if (copies.Any(c => !string.Equals(c.Uuid, here.Uuid, StringComparison.OrdinalIgnoreCase) || here.Hash is null || !string.Equals(c.Hash, here.Hash, StringComparison.Ordinal)))
            {
                differ.Add(sequence);
            }
        }

        var neverReceived = local.Keys.Where(s => s <= cursor && !byRemote.ContainsKey(s) && !refused.Contains(s)).Order().ToList();
        return new AuditComparison(missing, differ, neverReceived, local.Count, byRemote.Count, cursor);
    }
}
