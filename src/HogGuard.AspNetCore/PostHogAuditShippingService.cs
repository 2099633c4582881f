using HogGuard.Audit;
using HogGuard.PostHogApi;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace HogGuard.AspNetCore;

/// <summary>
/// Ships the audit log to PostHog in the background (an <see cref="AuditShipper"/> round every
/// interval), with the project token and host of <c>AddPostHogSecurity</c>. It reads the log's files
/// from its durable cursor, so it never blocks writers; a failed round is logged and retried.
/// </summary>
internal sealed partial class PostHogAuditShippingService(
    IOptions<PostHogAuditLogOptions> audit, IOptions<PostHogSecurityOptions> security, PostHogClientSource clients, TimeProvider time, TimeSpan interval, ILogger<PostHogAuditShippingService> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var token = security.Value.ProjectToken ?? throw new InvalidOperationException("audit shipping needs PostHog:ProjectToken (the phc_ project token)");
        var shipper = new AuditShipper(audit.Value.Directory!, new CaptureTransport(clients.Get, security.Value.Endpoint().Ingestion, token.Trim()));
        while (!stoppingToken.IsCancellationRequested)
        {
            var (shipped, failure) = await shipper.ShipOnceAsync(stoppingToken).ConfigureAwait(false);
            if (failure is not null)
            {
                LogFailed(logger, failure.Outcome, failure.Detail, shipper.Lag);
            }
            else if (shipped > 0)
            {
                LogShipped(logger, shipped);
            }

            if (shipper.LastRefused.Count > 0)
            {
                LogRefused(logger, shipper.LastRefused.Count, string.Join(", ", shipper.LastRefused), AuditShipper.RefusedFile);
            }

            await Task.Delay(interval, time, stoppingToken).ConfigureAwait(false);
        }
    }

    [LoggerMessage(EventId = 5004, Level = LogLevel.Error, Message = "PostHog's capture refused {Count} audit entries (sequence {Sequences}); they stay in the local log and are listed in {File}")]
    private static partial void LogRefused(ILogger logger, int count, string sequences, string file);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Warning, Message = "Audit shipping to PostHog failed ({Outcome}: {Detail}); {Lag} entries wait for the next round")]
    private static partial void LogFailed(ILogger logger, ApiOutcome outcome, string? detail, long lag);

    [LoggerMessage(EventId = 5003, Level = LogLevel.Debug, Message = "Shipped {Count} audit entries to PostHog")]
    private static partial void LogShipped(ILogger logger, long count);
}

