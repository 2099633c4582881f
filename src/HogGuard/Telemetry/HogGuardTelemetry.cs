using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text.RegularExpressions;

namespace HogGuard.Telemetry;

/// <summary>
/// HogGuard's traces and metrics: one <see cref="ActivitySource"/> and one <see cref="Meter"/>, both
/// named <see cref="Name"/>. Add them with OpenTelemetry's <c>.AddSource("HogGuard")</c> and
/// <c>.AddMeter("HogGuard")</c>. Tags never hold a key, a secret or a body; keys appear by the first
/// 12 hex digits of their SHA-256 fingerprint only. The instruments, their units and tags are listed
/// in the README ("Telemetry").
/// </summary>
public static partial class HogGuardTelemetry
{
    /// <summary>The name of the activity source and the meter.</summary>
    public const string Name = "HogGuard";

    private static readonly string? Version = typeof(HogGuardTelemetry).Assembly.GetName().Version?.ToString();

    /// <summary>The activity source of PostHog calls and webhook verifications.</summary>
    public static ActivitySource Source { get; } = new(Name, Version);

    /// <summary>The meter every HogGuard instrument belongs to.</summary>
    public static Meter Meter { get; } = new(Name, Version);

    internal static readonly Counter<long> PostHogRequests = Meter.CreateCounter<long>(
        "hogguard.posthog.requests", "{request}", "PostHog API calls made by HogGuard (after retries), by outcome and host.");

    internal static readonly Histogram<double> PostHogRequestDuration = Meter.CreateHistogram<double>(
        "hogguard.posthog.request.duration", "s", "How long a PostHog API call took, retries included.");

    internal static readonly Counter<long> AuditEntries = Meter.CreateCounter<long>(
        "hogguard.audit.entries", "{entry}", "Audit entries made durable in the local log.");

    internal static readonly Histogram<double> AuditFsyncDuration = Meter.CreateHistogram<double>(
        "hogguard.audit.fsync.duration", "s", "How long one fsync of the audit log took (one per group of entries).");

    internal static readonly Gauge<long> AuditShippingLag = Meter.CreateGauge<long>(
        "hogguard.audit.shipping.lag", "{entry}", "Audit entries written but not yet confirmed by PostHog, after each shipping round.");

    /// <summary>How a key appears in a tag: the first 12 hex digits of its SHA-256 fingerprint, enough to tell keys apart, never enough to find one.</summary>
    public static string KeyTag(Keys.PostHogSecret key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return key.Fingerprint.Length > 12 ? key.Fingerprint[..12] : key.Fingerprint;
    }

    /// <summary>How a name appears as a tag value: snake_case (<c>InvalidKey</c> → <c>invalid_key</c>).</summary>
    public static string TagValue(string name) => CamelBoundary().Replace(name ?? throw new ArgumentNullException(nameof(name)), "$1_$2").ToLowerInvariant();

    [GeneratedRegex("([a-z0-9])([A-Z])")]
    private static partial Regex CamelBoundary();
}
