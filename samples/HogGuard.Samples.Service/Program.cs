using HogGuard.AspNetCore;
using HogGuard.Audit;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

// A service that uses all of HogGuard: reader and writer PostHog clients (each refusing what its key
// cannot do), a signed webhook endpoint, a tamper-evident audit log shipped to PostHog, and a health
// check. Configuration (environment variables shown; appsettings.json, appsettings.{Environment}.json
// and a .env file in the content root work the same, and a rotation that rewrites one of those files
// reaches the running service without a restart):
//   PostHog__Host, PostHog__ProjectToken, PostHog__ReaderKey, PostHog__WriterKey, PostHog__SecretKey, PostHog__ProjectId,
//   PostHog__Webhook__Secrets__0__Id, PostHog__Webhook__Secrets__0__Secret (whsec_...),
//   Audit__Directory, Audit__ShipIntervalSeconds
var builder = WebApplication.CreateSlimBuilder(args);
builder.Configuration.AddDotEnvFile(".env", optional: true, reloadOnChange: true);
builder.Configuration.AddEnvironmentVariables();
builder.Services.AddPostHogSecurity(builder.Configuration);

// HogGuard's traces and metrics (source and meter "HogGuard") on the console, when asked: Telemetry__Console=true.
if (builder.Configuration.GetValue<bool>("Telemetry:Console"))
{
    builder.Services.AddOpenTelemetry()
        .WithTracing(tracing => tracing.AddSource(HogGuard.Telemetry.HogGuardTelemetry.Name).SetSampler(new AlwaysOnSampler()).AddConsoleExporter())
        .WithMetrics(metrics => metrics.AddMeter(HogGuard.Telemetry.HogGuardTelemetry.Name).AddConsoleExporter());
}
builder.Services.AddPostHogWebhooks("posthog", builder.Configuration.GetSection("PostHog:Webhook"));
builder.Services.AddPostHogAuditLog(o =>
{
    o.Directory = builder.Configuration["Audit:Directory"];
    o.MirrorToLogger = true;
});
builder.Services.AddPostHogAuditShipping(TimeSpan.FromSeconds(int.TryParse(builder.Configuration["Audit:ShipIntervalSeconds"], out var seconds) ? seconds : 10));

var app = builder.Build();
var project = app.Configuration["PostHog:ProjectId"] ?? "@current";

// Reads go through the reader client: its key holds only read scopes.
app.MapGet("/insights", async ([FromKeyedServices(PostHogRoles.Reader)] PostHogApiClient reader, CancellationToken ct) =>
{
    var answer = await reader.GetAsync($"/api/projects/{project}/insights/", cancellationToken: ct);
    return answer.IsOk ? Results.Json(answer.Value) : Results.Problem(answer.Detail, statusCode: 502);
});

// Changes go through the writer client, and each is audited.
app.MapPost("/insights", async (InsightRequest request, [FromKeyedServices(PostHogRoles.Writer)] PostHogApiClient writer, IAuditLog audit, CancellationToken ct) =>
{
    var answer = await writer.PostAsync($"/api/projects/{project}/insights/", System.Text.Json.JsonSerializer.Serialize(request, SampleJson.Default.InsightRequest), cancellationToken: ct);
    await audit.WriteAsync(new AuditEntry(DateTimeOffset.UtcNow, "insight.create", "sample-service", $"insight/{request.Name}", answer.IsOk ? AuditOutcome.Success : AuditOutcome.Failure), ct);
    return answer.IsOk ? Results.Json(answer.Value, statusCode: 201) : Results.Problem(answer.Detail, statusCode: 502);
});

// The same change through the reader is refused before any request leaves the service.
app.MapPost("/insights/via-reader", async (InsightRequest request, [FromKeyedServices(PostHogRoles.Reader)] PostHogApiClient reader, CancellationToken ct) =>
{
    try
    {
        await reader.PostAsync($"/api/projects/{project}/insights/", System.Text.Json.JsonSerializer.Serialize(request, SampleJson.Default.InsightRequest), cancellationToken: ct);
        return Results.Ok();
    }
    catch (PostHogScopeException e)
    {
        return Results.Problem(e.Message, statusCode: 403);
    }
});

// Signed PostHog webhooks: verified, audited, and captured as an ordinary event.
app.MapPost("/webhooks/posthog", async (HttpContext context, IAuditLog audit, PostHogCaptureClient capture, CancellationToken ct) =>
{
    var delivery = context.GetPostHogWebhook();
    await audit.WriteAsync(new AuditEntry(DateTimeOffset.UtcNow, "webhook.received", "posthog", delivery.MessageId ?? "(no id)", AuditOutcome.Success), ct);
    await capture.CaptureAsync("sample_webhook_received", "sample-service", new Dictionary<string, object?> { ["message_id"] = delivery.MessageId }, ct);
    return Results.Ok(new { received = delivery.MessageId });
}).RequirePostHogSignature("posthog");

// Flag definitions for local evaluation, with the project secret key (PostHog:SecretKey).
app.MapGet("/flags", async (PostHogFeatureFlagsClient flags, CancellationToken ct) =>
{
    var answer = await flags.GetDefinitionsAsync(ct);
    return answer.IsOk ? Results.Json(new FlagCount(answer.Value.GetProperty("flags").GetArrayLength()), SampleJson.Default.FlagCount) : Results.Problem(answer.Detail, statusCode: 502);
});

// Which keys the service uses right now (masks and fingerprints, never values): after a rotation
// rewrites appsettings.Production.json or .env, these change without a restart.
app.MapGet("/posthog/keys", ([FromKeyedServices(PostHogRoles.Reader)] PostHogApiClient reader, [FromKeyedServices(PostHogRoles.Writer)] PostHogApiClient writer, PostHogFeatureFlagsClient flags) =>
    Results.Json(new KeysInUse(reader.Key, writer.Key, flags.Key), SampleJson.Default.KeysInUse));

app.MapHealthChecks("/health");
app.Run();

internal sealed record InsightRequest(string Name);

internal sealed record KeysInUse(string Reader, string Writer, string Flags);

internal sealed record FlagCount(int Flags);

[System.Text.Json.Serialization.JsonSerializable(typeof(InsightRequest))]
[System.Text.Json.Serialization.JsonSerializable(typeof(KeysInUse))]
[System.Text.Json.Serialization.JsonSerializable(typeof(FlagCount))]
internal sealed partial class SampleJson : System.Text.Json.Serialization.JsonSerializerContext;
