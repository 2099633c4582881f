using HogGuard.AspNetCore;

// A PostHog webhook receiver: POST /webhooks/posthog, Standard Webhooks signatures, replays refused.
//   HOGGUARD_SAMPLE_WEBHOOK_SECRET=whsec_... dotnet run --project samples/HogGuard.Samples.WebhookReceiver -- --urls http://127.0.0.1:5080
var builder = WebApplication.CreateSlimBuilder(args);
builder.Services.AddPostHogWebhooks("posthog", options =>
{
    // Environment variables are part of configuration; PostHog:WebhookSecret in appsettings works too.
    var secret = builder.Configuration["HOGGUARD_SAMPLE_WEBHOOK_SECRET"] ?? builder.Configuration["PostHog:WebhookSecret"];
    if (secret is not null)
    {
        options.Secrets.Add(new PostHogWebhookSecret { Id = "current", Secret = secret });
    }
});

var app = builder.Build();
app.MapPost("/webhooks/posthog", (HttpContext context) =>
{
    var delivery = context.GetPostHogWebhook();
    app.Logger.LogInformation("Accepted PostHog delivery {Id} ({Bytes} bytes) signed with key {Key}", delivery.MessageId, delivery.Body.Length, delivery.KeyId);
    return Results.Ok(new { received = delivery.MessageId });
}).RequirePostHogSignature("posthog");
app.Run();
