namespace HogGuard.Reports;

/// <summary>Whether a scan fails on what PostHog says of its secrets, not only on their severity.</summary>
public enum LiveGate
{
    /// <summary>Every finding at or above the severity threshold fails the scan.</summary>
    Off,

    /// <summary>
    /// Only secrets PostHog accepts, and those no verdict could be had for (kinds that cannot be
    /// checked, hosts that did not answer), fail the scan: a secret fails unless it is proven dead.
    /// </summary>
    LiveOrUnverified,

    /// <summary>Only secrets PostHog accepted fail the scan (<c>--fail-on-live=strict</c>).</summary>
    LiveOnly,
}
