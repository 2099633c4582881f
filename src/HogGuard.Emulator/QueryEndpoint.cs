using System.Text.Json;
using System.Text.Json.Nodes;

namespace HogGuard.Emulator;

/// <summary>
/// <c>POST /api/projects/{id}/query/</c> as far as HogGuard uses it: PostHog runs any HogQL there
/// (<c>posthog/api/query.py</c>, a <c>query:read</c> action); the emulator answers exactly one query,
/// the audit check's (the uuid, sequence and hash of the audit events captured for the project, paged
/// by sequence), and refuses anything else as PostHog refuses a query it cannot run: 400 with a
/// <c>validation_error</c> body (<c>posthog/hogql/errors.py</c> codes).
/// </summary>
internal static class QueryEndpoint
{
    /// <summary>The one HogQL query answered, placeholders <c>{event}</c> and <c>{after}</c> given in <c>values</c>.</summary>
    public const string AuditQuery =
        "SELECT toString(uuid), toInt(properties.sequence), toString(properties.hash) FROM events "
        + "WHERE event = {event} AND toInt(properties.sequence) > {after} "
        + "ORDER BY toInt(properties.sequence), toString(uuid) LIMIT 1000";

    private const int Limit = 1000;

    public static async Task<IResult> AnswerAsync(HttpContext context, EmulatorState state, Project project)
    {
        JsonNode? body;
        try
        {
            body = await JsonNode.ParseAsync(context.Request.Body);
        }
        catch (JsonException)
        {
            return Errors.Json(400, new("validation_error", "parse_error", "JSON parse error - the request body is not valid JSON."));
        }

        if (body?["query"] is not JsonObject query || query["kind"]?.GetValueKind() != JsonValueKind.String)
        {
            return Errors.Json(400, new("validation_error", "invalid_input", "Field required", "query"));
        }

        if ((string?)query["kind"] != "HogQLQuery")
        {
            return Errors.Json(400, new("validation_error", "invalid_input", $"The emulator runs only HogQLQuery queries, not {(string?)query["kind"]}."));
        }

        var text = query["query"]?.GetValueKind() == JsonValueKind.String ? (string?)query["query"] : null;
        if (text is null || Normalize(text) != Normalize(AuditQuery))
        {
            return Errors.Json(400, new("validation_error", "hogql_query_error", "The emulator answers only HogGuard's audit query (see the README: uuid, sequence and hash of the audit events)."));
        }

        var values = query["values"] as JsonObject;
        if (values?["event"] is not JsonValue eventValue || !eventValue.TryGetValue<string>(out var eventName))
        {
            return Errors.Json(400, new("validation_error", "hogql_query_error", "Placeholder {event} is not available in this context. You can use the following: after"));
        }

        if (values["after"] is not JsonValue afterValue || !afterValue.TryGetValue<long>(out var after))
        {
            return Errors.Json(400, new("validation_error", "hogql_query_error", "Placeholder {after} is not available in this context. You can use the following: event"));
        }

        var rows = state.Events
            .Where(e => e.ApiKey == project.ApiToken && e.Event == eventName)
            .Select(Row)
            .Where(r => r is { } row && row.Sequence > after)
            .Select(r => r!.Value)
            .OrderBy(r => r.Sequence)
            .ThenBy(r => r.Uuid, StringComparer.Ordinal)
            .Take(Limit + 1)
            .ToList();
        var results = new JsonArray();
        foreach (var row in rows.Take(Limit))
        {
            results.Add(new JsonArray(row.Uuid, row.Sequence, row.Hash));
        }

        var answer = new JsonObject
        {
            ["results"] = results,
            ["columns"] = new JsonArray("toString(uuid)", "toInt(properties.sequence)", "toString(properties.hash)"),
            ["types"] = new JsonArray(new JsonArray("toString(uuid)", "String"), new JsonArray("toInt(properties.sequence)", "Nullable(Int64)"), new JsonArray("toString(properties.hash)", "Nullable(String)")),
            ["hasMore"] = rows.Count > Limit,
            ["limit"] = Limit,
            ["offset"] = 0,
            ["hogql"] = text,
            ["is_cached"] = false,
        };
        return Results.Text(answer.ToJsonString(), "application/json");
    }

    private static (string Uuid, long Sequence, string? Hash)? Row(CapturedEvent captured)
    {
        using var document = JsonDocument.Parse(captured.RawJson);
        if (!document.RootElement.TryGetProperty("properties", out var properties) || properties.ValueKind != JsonValueKind.Object
            || !properties.TryGetProperty("sequence", out var sequence))
        {
            return null;
        }

        long? value = sequence.ValueKind switch
        {
            JsonValueKind.Number when sequence.TryGetInt64(out var n) => n,
            JsonValueKind.String when long.TryParse(sequence.GetString(), System.Globalization.CultureInfo.InvariantCulture, out var n) => n,
            _ => null,
        };
        if (value is null)
        {
            return null;
        }

        var hash = properties.TryGetProperty("hash", out var h) && h.ValueKind == JsonValueKind.String ? h.GetString() : null;
        return (captured.Uuid ?? string.Empty, value.Value, hash);
    }

    private static string Normalize(string text) => string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
}
