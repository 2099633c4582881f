using Microsoft.Extensions.DependencyInjection;

namespace HogGuard.AspNetCore;

/// <summary>Introspects the reader's and writer's scopes once at start, so the first request does not wait; a failure is logged and retried on first use.</summary>
internal sealed partial class PostHogScopeWarmUp(IServiceProvider provider) : Microsoft.Extensions.Hosting.IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var logger = provider.GetRequiredService<Microsoft.Extensions.Logging.ILogger<PostHogScopeWarmUp>>();
        var options = provider.GetRequiredService<LastValidOptions<PostHogSecurityOptions>>().Get().Value;
        foreach (var (role, key) in new[] { (PostHogRoles.Reader, options.ReaderKey), (PostHogRoles.Writer, options.WriterKey) })
        {
            if (string.IsNullOrWhiteSpace(key))
            {
                continue;
            }

            try
            {
                await provider.GetRequiredKeyedService<PostHogApiClient>(role).GetScopesAsync().ConfigureAwait(false);
            }
            catch (InvalidOperationException e)
            {
                LogWarmUpFailed(logger, role, e.Message);
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [Microsoft.Extensions.Logging.LoggerMessage(EventId = 5101, Level = Microsoft.Extensions.Logging.LogLevel.Warning, Message = "The PostHog {Role} key's scopes could not be read at start ({Reason}); they are read again on first use")]
    private static partial void LogWarmUpFailed(Microsoft.Extensions.Logging.ILogger logger, string role, string reason);
}
