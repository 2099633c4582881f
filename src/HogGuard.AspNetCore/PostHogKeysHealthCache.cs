using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;

namespace HogGuard.AspNetCore;

/// <summary>
/// The <c>posthog-keys</c> health check: answers from the last probe of the keys in use, never
/// waiting on PostHog. A probe older than <c>PostHog:HealthCheckInterval</c>, or one of keys a reload
/// has since replaced, starts a new probe in the background (one at a time, bounded by
/// <see cref="ProbeTimeout"/>); until the first probe of the keys in use ends, the check is degraded.
/// </summary>
internal sealed partial class PostHogKeysHealthCache : IHealthCheck, IDisposable
{
    /// <summary>A probe that takes longer is abandoned and reported degraded.</summary>
    internal static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(30);

    private readonly PostHogKeysProbe _probe;
    private readonly LastValidOptions<PostHogSecurityOptions> _settings;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stopping = new();
    private Entry? _last;
    private Task? _running;

    public PostHogKeysHealthCache(PostHogKeysProbe probe, LastValidOptions<PostHogSecurityOptions> settings, TimeProvider time, ILogger<PostHogKeysHealthCache> logger)
    {
        _probe = probe;
        _settings = settings;
        _time = time;
        _logger = logger;
        _settings.Changed += OnSettingsChanged;
    }

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var current = _settings.Get();
        var last = Volatile.Read(ref _last);
        var now = _time.GetUtcNow();
        if (last is null || last.Generation != current.Generation)
        {
            _ = RefreshAsync();
            var why = last is null ? "the PostHog keys have not been checked yet; the first check is running" : "the reloaded PostHog keys are being checked";
            return Task.FromResult(HealthCheckResult.Degraded(why));
        }

        if (now - last.At >= current.Value.HealthCheckInterval)
        {
            _ = RefreshAsync();
        }

        var data = new Dictionary<string, object>(last.Result.Data) { ["checked_at"] = last.At.ToString("O", System.Globalization.CultureInfo.InvariantCulture) };
        return Task.FromResult(new HealthCheckResult(last.Result.Status, last.Result.Description, last.Result.Exception, data));
    }

    /// <summary>A probe is running now.</summary>
    internal bool IsProbing
    {
        get
        {
            lock (_gate)
            {
                return _running is { IsCompleted: false };
            }
        }
    }

    /// <summary>Probes the keys in use now, unless a probe is already running (then that one is returned).</summary>
    public Task RefreshAsync()
    {
        lock (_gate)
        {
            if (_running is { IsCompleted: false } running)
            {
                return running;
            }

            _running = Task.Run(ProbeAsync);
            return _running;
        }
    }

    public void Dispose()
    {
        _settings.Changed -= OnSettingsChanged;
        _stopping.Cancel();
        _stopping.Dispose();
    }

    private void OnSettingsChanged(string name) => _ = RefreshAsync();

    private async Task ProbeAsync()
    {
        var settings = _settings.Get();
        HealthCheckResult result;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        timeout.CancelAfter(ProbeTimeout);
        try
        {
            result = await _probe.ProbeAsync(settings.Value, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!_stopping.IsCancellationRequested)
        {
            result = HealthCheckResult.Degraded($"PostHog did not answer the key check within {ProbeTimeout.TotalSeconds:0} s");
        }
        catch (OperationCanceledException)
        {
            return;
        }
        catch (Exception e) when (e is HttpRequestException or InvalidOperationException)
        {
            result = HealthCheckResult.Degraded($"the PostHog keys could not be checked: {Keys.SecretRedaction.Redact(e.Message)}");
        }

        Volatile.Write(ref _last, new Entry(settings.Generation, _time.GetUtcNow(), result));
        if (result.Status != HealthStatus.Healthy)
        {
            LogProbe(_logger, result.Status, result.Description);
        }

        // Keys replaced while this probe ran: probe the new ones too.
        if (_settings.Get().Generation != settings.Generation)
        {
            lock (_gate)
            {
                _running = null;
            }

            _ = RefreshAsync();
        }
    }

    private sealed record Entry(long Generation, DateTimeOffset At, HealthCheckResult Result);

    [LoggerMessage(EventId = 5301, Level = LogLevel.Warning, Message = "PostHog key check: {Status}: {Description}")]
    private static partial void LogProbe(ILogger logger, HealthStatus status, string? description);
}
