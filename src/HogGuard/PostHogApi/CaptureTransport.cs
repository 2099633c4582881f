using System.Globalization;
using System.Text.Json;

namespace HogGuard.PostHogApi;

/// <summary>One event for <see cref="CaptureTransport"/>: its uuid and timestamp make a retry the same event.</summary>
/// <param name="Properties">Writes the event's properties into the open <c>properties</c> object; null for none.</param>
public sealed record CaptureEvent(string Event, string DistinctId, Guid Uuid, DateTimeOffset Timestamp, Action<Utf8JsonWriter>? Properties = null);

/// <summary>
/// The one path events take to PostHog: a <c>/batch/</c> body with the project token, sent by
/// <see cref="PostHogClient"/> (timeouts, retries with backoff, Retry-After). The audit shipper and
/// the services' capture client both send through it.
/// </summary>
public sealed class CaptureTransport
{
    private readonly Func<PostHogClient> _client;
    private readonly string _projectToken;

    /// <summary>Sends through <paramref name="client"/> to <paramref name="host"/> (the ingestion host) with <paramref name="projectToken"/>.</summary>
    public CaptureTransport(PostHogClient client, Uri host, string projectToken)
        : this(() => client, host, projectToken)
    {
        ArgumentNullException.ThrowIfNull(client);
    }

    /// <summary>
    /// Sends through the client <paramref name="client"/> gives for each batch: a service passes one
    /// from <c>IHttpClientFactory</c>, so a long-lived transport still gets rotated handlers.
    /// </summary>
    public CaptureTransport(Func<PostHogClient> client, Uri host, string projectToken)
    {
        _client = client ?? throw new ArgumentNullException(nameof(client));
        Host = host ?? throw new ArgumentNullException(nameof(host));
        _projectToken = projectToken ?? throw new ArgumentNullException(nameof(projectToken));
    }

    /// <summary>The ingestion host events go to.</summary>
    public Uri Host { get; }

    /// <summary>Sends the events as one batch; the result is PostHog's answer after the client's retries.</summary>
    public Task<ApiResult<bool>> SendAsync(IReadOnlyList<CaptureEvent> events, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(events);
        return _client().CaptureBatchAsync(Host, Serialize(events), cancellationToken);
    }

    private byte[] Serialize(IReadOnlyList<CaptureEvent> events)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("api_key", _projectToken);
            writer.WriteBoolean("historical_migration", false);
            writer.WriteStartArray("batch");
            foreach (var e in events)
            {
                writer.WriteStartObject();
                writer.WriteString("event", e.Event);
                writer.WriteString("distinct_id", e.DistinctId);
                writer.WriteString("uuid", e.Uuid.ToString("D"));
                writer.WriteString("timestamp", e.Timestamp.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ", CultureInfo.InvariantCulture));
                writer.WriteStartObject("properties");
                e.Properties?.Invoke(writer);
                writer.WriteEndObject();
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }
}
