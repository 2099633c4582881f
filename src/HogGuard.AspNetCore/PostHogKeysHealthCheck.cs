using HogGuard.Keys;
using HogGuard.PostHogApi;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace HogGuard.AspNetCore;

/// <summary>
/// Asks PostHog about every configured key: unhealthy when PostHog refuses one (revoked, rolled,
/// mistyped); degraded when a personal key is older than <c>MaxKeyAgeDays</c> (rotation overdue) or
/// PostHog cannot be asked. The data names keys by mask and fingerprint only.
/// </summary>
internal sealed class PostHogKeysProbe(PostHogClientSource clients, TimeProvider time)
{
    public async Task<HealthCheckResult> ProbeAsync(PostHogSecurityOptions o, CancellationToken cancellationToken)
    {
        var client = clients.Get();
        var endpoint = o.Endpoint();
        var host = endpoint.App;
        var invalid = new List<string>();
        var degraded = new List<string>();
        var data = new Dictionary<string, object>();
        foreach (var (setting, value) in new[] { ("ReaderKey", o.ReaderKey), ("WriterKey", o.WriterKey), ("SecretKey", o.SecretKey) })
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                continue;
            }

            var key = new PostHogSecret(value.Trim());
            data[setting] = key.ToString();
            if (key.Kind == PostHogTokenKind.ProjectSecretApiKey)
            {
                var flags = await client.CheckFlagDefinitionsAsync(endpoint.Ingestion, key, o.ProjectToken, cancellationToken).ConfigureAwait(false);
                Classify(setting, key, flags.Outcome, flags.Detail, invalid, degraded);
                continue;
            }

            var current = await client.GetCurrentPersonalKeyAsync(host, key, cancellationToken).ConfigureAwait(false);
            Classify(setting, key, current.Outcome, current.Detail, invalid, degraded);
            if (current.IsOk && (current.Value!.LastRolledAt ?? current.Value.CreatedAt) is { } born)
            {
                ServiceTelemetry.KeyAge.Record(
                    (time.GetUtcNow() - born).TotalDays,
                    new KeyValuePair<string, object?>("hogguard.key.setting", setting),
                    new KeyValuePair<string, object?>("hogguard.key.fingerprint", HogGuard.Telemetry.HogGuardTelemetry.KeyTag(key)));
            }

            if (current.IsOk && o.MaxKeyAgeDays is { } maxAge && (current.Value!.LastRolledAt ?? current.Value.CreatedAt) is { } since)
            {
                var due = since.AddDays(maxAge);
                if (time.GetUtcNow() > due)
                {
                    degraded.Add($"{setting} ({key.Masked}) is overdue for rotation since {due:yyyy-MM-dd}");
                }
            }
        }

        if (invalid.Count > 0)
        {
            return HealthCheckResult.Unhealthy(string.Join("; ", invalid.Concat(degraded)), data: data);
        }

        return degraded.Count > 0
            ? HealthCheckResult.Degraded(string.Join("; ", degraded), data: data)
            : HealthCheckResult.Healthy("every configured PostHog key is accepted and within its rotation age", data);
    }

    private static void Classify(string setting, PostHogSecret key, ApiOutcome outcome, string? detail, List<string> invalid, List<string> degraded)
    {
        if (outcome.ProvesKeyLive())
        {
            return;
        }

        if (outcome == ApiOutcome.InvalidKey)
        {
            invalid.Add($"PostHog refuses {setting} ({key.Masked})");
        }
        else
        {
            degraded.Add($"{setting} ({key.Masked}) could not be checked: {detail}");
        }
    }
}
