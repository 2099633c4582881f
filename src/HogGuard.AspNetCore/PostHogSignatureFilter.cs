using HogGuard.Webhooks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace HogGuard.AspNetCore;

/// <summary>
/// Reads the exact request bytes (413 over the limit), verifies them, and answers 400 for malformed
/// headers and 401 for every other refusal, unsigned deliveries included, with a problem-details body that states the
/// reason and never the expected signature. The handler runs only for a valid delivery.
/// </summary>
internal sealed partial class PostHogSignatureFilter(string name) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var registry = http.RequestServices.GetRequiredService<PostHogWebhookRegistry>();
        var logger = http.RequestServices.GetRequiredService<ILogger<PostHogSignatureFilter>>();
        var (verifier, maxBody) = registry.Get(name);
        if (http.Request.ContentLength > maxBody)
        {
            LogRejected(logger, name, "body over the size limit");
            return Problem(StatusCodes.Status413PayloadTooLarge, "Webhook body too large", $"The body exceeds {maxBody} bytes.");
        }

        var body = await ReadAsync(http.Request.Body, maxBody, http.RequestAborted);
        if (body is null)
        {
            LogRejected(logger, name, "body over the size limit");
            return Problem(StatusCodes.Status413PayloadTooLarge, "Webhook body too large", $"The body exceeds {maxBody} bytes.");
        }

        var options = verifier.Options;
        string? Header(string header) => http.Request.Headers.TryGetValue(header, out var v) && v.Count == 1 ? v[0] : null;
        var id = options.Scheme == WebhookScheme.StandardWebhooks ? Header(options.IdHeader) : null;
        var result = verifier.Verify(id, Header(options.EffectiveTimestampHeader), Header(options.EffectiveSignatureHeader), body);
        if (!result.IsValid)
        {
            LogRejected(logger, name, result.Status.ToString());
            // An unsigned delivery is unauthenticated (401); only a signature header that cannot be parsed is a bad request.
            var status = result.Status is WebhookVerificationStatus.MalformedHeader ? 400 : 401;
            return Problem(status, "Webhook signature rejected", Reason(result.Status));
        }

        LogAccepted(logger, name, result.KeyId!);
        http.Items[PostHogWebhookHttpContextExtensions.ItemKey] = new PostHogWebhookDelivery(body, id, result.KeyId!);
        http.Request.Body = new MemoryStream(body, writable: false);
        return await next(context);
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

    private static IResult Problem(int status, string title, string detail) => Results.Problem(statusCode: status, title: title, detail: detail);

    /// <summary>The exact bytes, or null when there are more than <paramref name="limit"/>.</summary>
    private static async Task<byte[]?> ReadAsync(Stream body, int limit, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await body.ReadAsync(chunk, cancellationToken)) > 0)
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

    [LoggerMessage(EventId = 4002, Level = LogLevel.Debug, Message = "PostHog webhook receiver '{Receiver}' accepted a delivery signed with key '{KeyId}'")]
    private static partial void LogAccepted(ILogger logger, string receiver, string keyId);
}
