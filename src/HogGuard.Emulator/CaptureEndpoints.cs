using System.IO.Compression;
using System.Text.Json;

namespace HogGuard.Emulator;

/// <summary>
/// Capture as PostHog's ingestion answers it (posthog-facts.md §5): the <c>phc_</c> token travels in
/// the body; a missing token or a <c>phx_</c> one is 401; bodies over 2 MB (single) or 20 MB (batch)
/// are 413; bad JSON or gzip is 400; an event without a name or distinct id makes the whole request a
/// 400; events over 1 MB are dropped.
/// </summary>
internal static class CaptureEndpoints
{
    private const int SingleLimit = 2 * 1024 * 1024;
    private const int BatchLimit = 20 * 1024 * 1024;
    private const int EventLimit = 1024 * 1024;

    public static void Map(WebApplication app, EmulatorState state)
    {
        // Routing ignores a trailing slash, so "/e/" also answers "/e".
        foreach (var path in new[] { "/i/v0/e/", "/e/", "/capture/" })
        {
            app.MapPost(path, (Func<HttpContext, Task<IResult>>)(context => CaptureAsync(context, state, batch: false)));
        }

        app.MapPost("/batch/", (Func<HttpContext, Task<IResult>>)(context => CaptureAsync(context, state, batch: true)));
    }

    private static async Task<IResult> CaptureAsync(HttpContext context, EmulatorState state, bool batch)
    {
        var limit = batch ? BatchLimit : SingleLimit;
        byte[] body;
        try
        {
            body = await ReadBodyAsync(context, limit);
        }
        catch (InvalidDataException)
        {
            return Errors.BadRequest("Malformed request data: the gzip body could not be decompressed.");
        }

        if (body.Length > limit)
        {
            return Errors.Json(413, new("invalid_request", "payload_too_large", "Payload too large."));
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException)
        {
            return Errors.BadRequest("Malformed request data: invalid JSON.");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return Errors.BadRequest("Malformed request data: expected an object.");
            }

            var apiKey = root.TryGetProperty("api_key", out var k) && k.ValueKind == JsonValueKind.String ? k.GetString() : null;
            if (string.IsNullOrEmpty(apiKey) || apiKey.StartsWith("phx_", StringComparison.Ordinal))
            {
                return Errors.Json(401, new("authentication_error", "invalid_api_key", "Project API key invalid. You can find your project API key in PostHog project settings."));
            }

            var items = batch && root.TryGetProperty("batch", out var list) && list.ValueKind == JsonValueKind.Array
                ? list.EnumerateArray().ToList()
                : batch ? [] : [root];
            var now = state.Now;
            var events = items.Select(e => ToEvent(apiKey, e, now)).ToList();

            // One event without a name or a distinct id refuses the whole request (rust/capture/src/api.rs:
            // MissingEventName / MissingDistinctId are 400s); nothing of it is kept.
            if (events.FindIndex(e => e.Problem is not null) is var bad and >= 0)
            {
                return Results.Text(events[bad].Problem!, "text/plain", statusCode: 400);
            }

            state.AddEvents(events.Where(e => e.Event is not null).Select(e => e.Event!));
        }

        return Results.Json(new CaptureOkBody("Ok"), EmulatorJson.Relaxed.CaptureOkBody);
    }

    /// <summary>The event, or the reason capture refuses the request; an event over 1 MB is dropped (null, no problem).</summary>
    private static (CapturedEvent? Event, string? Problem) ToEvent(string apiKey, JsonElement e, DateTimeOffset now)
    {
        var raw = e.GetRawText();
        var name = Text(e, "event");
        var distinctId = Text(e, "distinct_id")
            ?? (e.ValueKind == JsonValueKind.Object && e.TryGetProperty("properties", out var props) && props.ValueKind == JsonValueKind.Object ? Text(props, "distinct_id") : null);
        if (name is null)
        {
            return (null, "Event submitted without an event name");
        }

        if (distinctId is null)
        {
            return (null, "No distinct_id in request");
        }

        return raw.Length > EventLimit ? (null, null) : (new CapturedEvent(apiKey, name, distinctId, Text(e, "uuid"), Text(e, "timestamp"), raw, now), null);
    }

    private static string? Text(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String && v.GetString() is { Length: > 0 } s ? s : null;

    /// <summary>Reads at most <paramref name="limit"/> + 1 bytes, inflating gzip (magic bytes or <c>?compression=gzip</c>).</summary>
    private static async Task<byte[]> ReadBodyAsync(HttpContext context, int limit)
    {
        using var raw = new MemoryStream();
        await CopyLimitedAsync(context.Request.Body, raw, limit + 1);
        var bytes = raw.ToArray();
        var gzip = (bytes.Length >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B) || context.Request.Query["compression"] == "gzip";
        if (!gzip)
        {
            return bytes;
        }

        using var inflated = new MemoryStream();
        await using var decompressor = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
        await CopyLimitedAsync(decompressor, inflated, limit + 1);
        return inflated.ToArray();
    }

    private static async Task CopyLimitedAsync(Stream source, Stream target, int limit)
    {
        var buffer = new byte[81920];
        int read;
        while (target.Length < limit && (read = await source.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, limit - target.Length)))) > 0)
        {
            await target.WriteAsync(buffer.AsMemory(0, read));
        }
    }
}
