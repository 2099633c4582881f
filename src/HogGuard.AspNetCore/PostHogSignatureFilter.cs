using HogGuard.Webhooks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace HogGuard.AspNetCore;

/// <summary>
/// Reads the exact request bytes (413 over the limit), verifies them, and answers 400 for malformed
/// headers and 401 for every other refusal, unsigned deliveries included, with a problem-details body that states the
/// reason and never the expected signature. The handler runs only for a valid delivery. A Standard
/// Webhooks delivery whose id the handler already answered 2xx is a retry: 200, handler not run
/// again; one whose earlier attempt failed runs again; one whose attempt is still running gets 409.
/// </summary>
internal sealed partial class PostHogSignatureFilter(string name) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var registry = http.RequestServices.GetRequiredService<PostHogWebhookRegistry>();
        var logger = http.RequestServices.GetRequiredService<ILogger<PostHogSignatureFilter>>();
        var receiver = registry.Get(name);
        var (verifier, maxBody) = (receiver.Verifier, receiver.MaxBodyBytes);
        if (http.Request.ContentLength > maxBody)
        {
            Verdict(name, "body_too_large");
            LogRejected(logger, name, "body over the size limit");
            return Problem(StatusCodes.Status413PayloadTooLarge, "Webhook body too large", $"The body exceeds {maxBody} bytes.");
        }

        byte[]? body;
        try
        {
            body = await ReadAsync(http.Request.Body, maxBody, http.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception e) when (e is BadHttpRequestException or IOException or OperationCanceledException)
        {
            // A slow, malformed or vanished client is the client's problem: one line at debug, no stack trace.
            LogClientFailed(logger, name, e.GetType().Name, e.Message);
            return http.RequestAborted.IsCancellationRequested ? Results.Empty : Problem(StatusCodes.Status400BadRequest, "Webhook body unreadable", "The request body could not be read.");
        }

        if (body is null)
        {
            Verdict(name, "body_too_large");
            LogRejected(logger, name, "body over the size limit");
            return Problem(StatusCodes.Status413PayloadTooLarge, "Webhook body too large", $"The body exceeds {maxBody} bytes.");
        }

        var options = verifier.Options;
        string? Header(string header) => http.Request.Headers.TryGetValue(header, out var v) && v.Count == 1 ? v[0] : null;
        var id = options.Scheme == WebhookScheme.StandardWebhooks ? Header(options.IdHeader) : null;
        using var activity = HogGuard.Telemetry.HogGuardTelemetry.Source.StartActivity("webhook.verify");
        var result = verifier.Verify(id, Header(options.EffectiveTimestampHeader), Header(options.EffectiveSignatureHeader), body);
        var verdict = HogGuard.Telemetry.HogGuardTelemetry.TagValue(result.Status.ToString());
        activity?.SetTag("hogguard.webhook.receiver", name);
        activity?.SetTag("hogguard.webhook.status", verdict);
        Verdict(name, verdict);
        if (!result.IsValid)
        {
            LogRejected(logger, name, result.Status.ToString());
            // An unsigned delivery is unauthenticated (401); only a signature header that cannot be parsed is a bad request.
            var status = result.Status is WebhookVerificationStatus.MalformedHeader ? 400 : 401;
            return Problem(status, "Webhook signature rejected", Reason(result.Status));
        }

        if (receiver.Ledger is { } ledger && id is not null)
        {
            var now = receiver.Time.GetUtcNow();
            if (ledger.IsHandled(id, now))
            {
                LogAlreadyHandled(logger, name);
                return Results.Json(new AlreadyProcessed("already processed"), PostHogWebhookJson.Default.AlreadyProcessed, statusCode: StatusCodes.Status200OK);
            }

            if (!ledger.TryClaim(id))
            {
                LogRejected(logger, name, "an attempt of the same delivery is still running");
                return Problem(StatusCodes.Status409Conflict, "Delivery in progress", "An earlier attempt of this delivery is still being handled; retry later.");
            }

            // The status is final when the response starts: record a 2xx before the sender can see it,
            // so its next retry finds it; a handler that throws never starts a 2xx, and the claim is
            // released when the exchange ends either way.
            http.Response.OnStarting(() =>
            {
                var finished = receiver.Time.GetUtcNow();
                ledger.Finish(id, http.Response.StatusCode is >= 200 and < 300, finished, finished + receiver.HandledRetention);
                return Task.CompletedTask;
            });
            http.Response.OnCompleted(() =>
            {
                ledger.Release(id);
                return Task.CompletedTask;
            });
        }

        LogAccepted(logger, name, result.KeyId!);
        http.Items[PostHogWebhookHttpContextExtensions.ItemKey] = new PostHogWebhookDelivery(body, id, result.KeyId!);
        http.Request.Body = new MemoryStream(body, writable: false);
        return await next(context).ConfigureAwait(false);
    }

    private static string Reason(WebhookVerificationStatus status) => status switch
    {
        WebhookVerificationStatus.MissingHeader => "A signature header is missing.",
        WebhookVerificationStatus.MalformedHeader => "A signature header is malformed (too long, not a number, a millisecond timestamp, or no well-formed signature).",
        WebhookVerificationStatus.TimestampOutsideTolerance => "The timestamp is outside the accepted window.",
        WebhookVerificationStatus.Replayed => "This delivery was already received.",
        WebhookVerificationStatus.NoSecretConfigured => "No webhook secret is configured.",
        _ => "No signature matches.",
    };

    private static void Verdict(string receiver, string status) =>
        ServiceTelemetry.WebhookVerifications.Add(1, new KeyValuePair<string, object?>("hogguard.webhook.receiver", receiver), new KeyValuePair<string, object?>("hogguard.webhook.status", status));

    private static IResult Problem(int status, string title, string detail) => Results.Problem(statusCode: status, title: title, detail: detail);

    /// <summary>The exact bytes, or null when there are more than <paramref name="limit"/>.</summary>
    private static async Task<byte[]?> ReadAsync(Stream body, int limit, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    [LoggerMessage(EventId = 4001, Level = LogLevel.Warning, Message = "PostHog webhook receiver '{Receiver}' refused a delivery: {Reason}")]
    private static partial void LogRejected(ILogger logger, string receiver, string reason);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Debug, Message = "PostHog webhook receiver '{Receiver}' could not read a delivery's body ({Kind}: {Reason})")]
    private static partial void LogClientFailed(ILogger logger, string receiver, string kind, string reason);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Information, Message = "PostHog webhook receiver '{Receiver}' got a retry of a delivery it already handled; answered 200 without running the handler")]
    private static partial void LogAlreadyHandled(ILogger logger, string receiver);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Debug, Message = "PostHog webhook receiver '{Receiver}' accepted a delivery signed with key '{KeyId}'")]
    private static partial void LogAccepted(ILogger logger, string receiver, string keyId);
}

internal sealed record AlreadyProcessed(string Status);

[System.Text.Json.Serialization.JsonSerializable(typeof(AlreadyProcessed))]
[System.Text.Json.Serialization.JsonSourceGenerationOptions(PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.SnakeCaseLower)]
internal sealed partial class PostHogWebhookJson : System.Text.Json.Serialization.JsonSerializerContext;
