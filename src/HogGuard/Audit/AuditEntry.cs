using System.Globalization;
using System.Text.Json;

namespace HogGuard.Audit;

/// <summary>Whether the audited action worked.</summary>
public enum AuditOutcome
{
    /// <summary>The action did what it was asked.</summary>
    Success,
    /// <summary>The action failed or was refused.</summary>
    Failure,
}

/// <summary>What happened: who did what to which resource, and how it went.</summary>
public sealed record AuditEntry(DateTimeOffset Timestamp, string Action, string UserId, string Resource, AuditOutcome Result)
{
    /// <summary>
    /// Why PostHog's capture would refuse this entry as an event, or null: it is shipped with
    /// <see cref="UserId"/> as <c>distinct_id</c>, and one event without a distinct id makes capture
    /// refuse the whole batch (<c>rust/capture/src/api.rs</c>).
    /// </summary>
    public string? CaptureProblem =>
        string.IsNullOrWhiteSpace(UserId) ? "it has no user id, which PostHog needs as the event's distinct_id; use a service name such as 'system' for automated actions"
        : string.IsNullOrWhiteSpace(Action) ? "it has no action"
        : null;

    /// <summary>Extra facts. Values that are PostHog secrets are masked before anything is written.</summary>
    public IReadOnlyDictionary<string, string?> Metadata { get; init; } = new Dictionary<string, string?>();

    /// <summary>
    /// An entry from one JSON object: <c>action</c>, <c>user_id</c>, <c>resource</c> and <c>result</c>
    /// (<c>success</c> or <c>failure</c>) required, <c>timestamp</c> (ISO 8601, default now) and
    /// <c>metadata</c> (an object; non-string values kept as JSON text) optional. The PostHog security
    /// checklist's own entry shape, with <c>userId</c>, is read as well.
    /// </summary>
    /// <exception cref="FormatException">Not such an object; the message names the field.</exception>
    public static AuditEntry FromJson(string json, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new FormatException("an audit entry is a JSON object");
            }

            string Text(string name) => root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String && v.GetString() is { Length: > 0 } s
                ? s
                : throw new FormatException($"'{name}' is required (a non-empty string)");
            // The checklist's example writes userId; snake_case is HogGuard's own. Both at once must agree.
            var hasSnake = root.TryGetProperty("user_id", out _);
            var hasCamel = root.TryGetProperty("userId", out _);
            if (hasSnake && hasCamel && Text("user_id") != Text("userId"))
            {
                throw new FormatException("'user_id' and 'userId' differ; give one of them");
            }

            var (action, userId, resource) = (Text("action"), hasCamel && !hasSnake ? Text("userId") : Text("user_id"), Text("resource"));
            var result = Text("result") switch
            {
                "success" => AuditOutcome.Success,
                "failure" => AuditOutcome.Failure,
                var other => throw new FormatException($"result '{other}' must be success or failure"),
            };
            var timestamp = root.TryGetProperty("timestamp", out var t) && t.ValueKind == JsonValueKind.String
                ? DateTimeOffset.Parse(t.GetString()!, CultureInfo.InvariantCulture)
                : time.GetUtcNow();
            var metadata = new Dictionary<string, string?>(StringComparer.Ordinal);
            if (root.TryGetProperty("metadata", out var m) && m.ValueKind == JsonValueKind.Object)
            {
                foreach (var property in m.EnumerateObject())
                {
                    metadata[property.Name] = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString() : property.Value.GetRawText();
                }
            }

            return new AuditEntry(timestamp, action, userId, resource, result) { Metadata = metadata };
        }
        catch (JsonException e)
        {
            throw new FormatException($"not a JSON audit entry: {e.Message}", e);
        }
    }
}

/// <summary>An entry as the log stored it: with its time-ordered uuid, sequence number and place in the hash chain.</summary>
public sealed record StoredAuditEntry(AuditEntry Entry, Guid Uuid, long Sequence, string PreviousHash, string Hash);
