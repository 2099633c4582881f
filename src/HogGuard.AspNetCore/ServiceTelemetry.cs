using System.Diagnostics.Metrics;
using HogGuard.Telemetry;

namespace HogGuard.AspNetCore;

/// <summary>The instruments only a service has, on HogGuard's one meter (<see cref="HogGuardTelemetry.Meter"/>).</summary>
internal static class ServiceTelemetry
{
    public static readonly Counter<long> WebhookVerifications = HogGuardTelemetry.Meter.CreateCounter<long>(
        "hogguard.webhook.verifications", "{delivery}", "Webhook deliveries judged, by receiver and verdict.");

    public static readonly Counter<long> ScopeRefusals = HogGuardTelemetry.Meter.CreateCounter<long>(
        "hogguard.scope.refusals", "{request}", "Requests refused before sending because the client's key lacks the scope.");

    public static readonly Gauge<double> KeyAge = HogGuardTelemetry.Meter.CreateGauge<double>(
        "hogguard.key.age", "d", "Days since a personal key was created or last rolled, as PostHog reports it, per key (at each health probe).");
}
