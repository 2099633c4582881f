using HogGuard.Audit;
using Microsoft.Extensions.Logging;

namespace HogGuard.AspNetCore;

/// <summary>Mirrors every durable entry into the app's logs; the file log stays the record.</summary>
internal sealed partial class LoggingAuditLog(IAuditLog inner, ILogger logger) : IAuditLog
{
    public async Task<StoredAuditEntry> WriteAsync(AuditEntry entry, CancellationToken cancellationToken = default)
    {
        var stored = await inner.WriteAsync(entry, cancellationToken).ConfigureAwait(false);
        LogEntry(logger, stored.Sequence, stored.Entry.Action, stored.Entry.UserId, stored.Entry.Resource, stored.Entry.Result, stored.Uuid);
        return stored;
    }

    [LoggerMessage(EventId = 5001, Level = LogLevel.Information, Message = "Audit {Sequence}: {Action} by {UserId} on {Resource}: {Result} ({Uuid})")]
    private static partial void LogEntry(ILogger logger, long sequence, string action, string userId, string resource, AuditOutcome result, Guid uuid);
}
