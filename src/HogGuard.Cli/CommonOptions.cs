using System.CommandLine;

namespace HogGuard.Cli;

/// <summary>Options several commands share, defined once so their names, help and checks agree.</summary>
internal static class CommonOptions
{
    public static Option<bool> Verbose() => new("--verbose", "-v") { Description = "Show stack traces on errors." };

    /// <summary><c>--config</c> for commands that read hogguard.yml in the working folder when none is named.</summary>
    public static Option<string?> Config(string description) =>
        new("--config", "-c") { HelpName = "FILE", Description = description + " (default: hogguard.yml in the current folder)" };

    /// <summary><c>--config</c> with no default: the command looks beside its PATH.</summary>
    public static Option<string?> ConfigBesidePath() =>
        new("--config", "-c") { HelpName = "FILE", Description = "Configuration file (default: hogguard.yml in PATH, if present)." };

    /// <summary>Repeatable <c>--host</c>.</summary>
    public static Option<string[]> Hosts(string description) => new("--host") { HelpName = "URL", Description = description };

    public static Option<string> Format(params string[] formats)
    {
        var format = new Option<string>("--format", "-f") { Description = "Report format.", DefaultValueFactory = _ => "text" };
        format.AcceptOnlyFromAmong(formats);
        return format;
    }

    public static Option<string?> Output() =>
        new("--output", "-o") { HelpName = "FILE", Description = "Write the report to FILE instead of standard output." };

    public static Option<string> FailOn(string what)
    {
        var failOn = new Option<string>("--fail-on") { Description = $"Lowest severity that makes the {what} exit 1.", DefaultValueFactory = _ => "high" };
        failOn.AcceptOnlyFromAmong("low", "medium", "high", "critical");
        return failOn;
    }

    /// <summary>The <c>--ingestion-host</c> option, one per <c>--host</c>, in the same order.</summary>
    public static Option<string[]> IngestionHosts() => new("--ingestion-host")
    {
        HelpName = "URL",
        Description = "Where capture and flags live, one per --host in the same order (default: derived for PostHog Cloud, e.g. us.i.posthog.com; the same host otherwise).",
    };

    /// <summary>The <c>--trust-config</c> option.</summary>
    public static Option<bool> TrustConfig() => new("--trust-config")
    {
        Description = "Send keys to the hosts posthog.hosts in the configuration names even when they are not PostHog Cloud (a repository's file could name any host).",
    };
}
