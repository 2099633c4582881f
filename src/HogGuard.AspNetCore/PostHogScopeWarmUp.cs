using Microsoft.Extensions.DependencyInjection;

namespace HogGuard.AspNetCore;

/// <summary>
/// From the start, in the background: introspects the reader's and writer's scopes (so the first
/// request rarely waits; a failure is logged and retried on first use) and runs the health check's
/// first probe. The start itself never waits on PostHog, so a stalled PostHog cannot hold it up.
/// </summary>
internal sealed partial class PostHogScopeWarmUp(IServiceProvider provider) : Microsoft.Extensions.Hosting.IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ = Task.Run(
            async () =>
            {
                try
                {
                    await WarmAsync().ConfigureAwait(false);
                }
                catch (ObjectDisposedException)
                {
                    // The service stopped before the warm-up ended.
                }
            },
            CancellationToken.None);
        return Task.CompletedTask;
    }

    private async Task WarmAsync()
    {
        var logger = provider.GetRequiredService<Microsoft.Extensions.Logging.ILogger<PostHogScopeWarmUp>>();
        var options = provider.GetRequiredService<LastValidOptions<PostHogSecurityOptions>>().Get().Value;

        // The health check's first probe runs in the background from the start, so /health never waits on PostHog.
        _ = provider.GetRequiredService<PostHogKeysHealthCache>().RefreshAsync();
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
