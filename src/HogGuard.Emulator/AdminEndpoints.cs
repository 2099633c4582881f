namespace HogGuard.Emulator;

/// <summary>
/// The emulator's own endpoints, under <c>/_emulator/</c>: the events captured so far, and the
/// fault rules (replace them with <c>PUT /_emulator/faults</c>, a JSON list as in the seed file).
/// Faults never apply to these endpoints.
/// </summary>
internal static class AdminEndpoints
{
    public const string Prefix = "/_emulator";

    public static void Map(WebApplication app, EmulatorState state)
    {
        app.MapGet(Prefix + "/events", () => Results.Json(
            state.Events.Select(e => new EventBody(e.ApiKey, e.Event, e.DistinctId, e.Uuid, e.Timestamp, e.ReceivedAt)).ToList(),
            EmulatorJson.Relaxed.ListEventBody));

        app.MapPut(Prefix + "/faults", (Func<HttpContext, Task<IResult>>)(async context =>
        {
            try
            {
                var faults = await System.Text.Json.JsonSerializer.DeserializeAsync(context.Request.Body, EmulatorJson.Relaxed.ListFaultRule) ?? [];
                if (faults.FindIndex(f => f is null) is var bad and >= 0)
                {
                    return Errors.BadRequest($"Malformed fault list: entry {bad} is null.");
                }

                state.SetFaults(faults);
                return Results.NoContent();
            }
            catch (System.Text.Json.JsonException e)
            {
                return Errors.BadRequest($"Malformed fault list: {e.Message}");
            }
        }));
    }

    /// <summary>Applies the first matching fault rule before the request reaches its endpoint.</summary>
    public static async Task ApplyFaultsAsync(HttpContext context, EmulatorState state, Func<Task> next)
    {
        var path = context.Request.Path.Value ?? "/";
        if (path.StartsWith(Prefix, StringComparison.Ordinal) || state.TakeFault(path) is not { } fault)
        {
            await next();
            return;
        }

        if (fault.LatencyMs > 0)
        {
            await Task.Delay(fault.LatencyMs, context.RequestAborted);
        }

        if (fault.Drop)
        {
            context.Abort();
            return;
        }

        if (fault.Status is { } status)
        {
            context.Response.StatusCode = status;
            if (fault.RetryAfterSeconds is { } seconds)
            {
                context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            await Errors.Json(status, new("server_error", status == 429 ? "throttled" : "error", status == 429 ? "Request was throttled." : "Injected fault."))
                .ExecuteAsync(context);
            return;
        }

        await next();
    }
}
