using System.CommandLine;
using HogGuard.Detection;
using HogGuard.Reports;

namespace HogGuard.Cli;

/// <summary>Options several commands share, defined once so their names, help and checks agree.</summary>
internal static class CommonOptions
{
    /// <summary>On the root and every command below it (recursive), so <c>-v</c> means one thing everywhere.</summary>
    public static Option<bool> Verbose() => new("--verbose", "-v") { Description = "Show stack traces on errors.", Recursive = true };

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
        var format = new Option<string>("--format", "-f") { HelpName = string.Join('|', formats), Description = "Report format.", DefaultValueFactory = _ => "text" };
        format.AcceptOnlyFromAmong(formats);
        return format;
    }

    public static Option<string?> Output() =>
        new("--output", "-o") { HelpName = "FILE", Description = "Write the report to FILE instead of standard output." };

    /// <summary>The severities <c>--fail-on</c> takes, lowest first, then <c>none</c> (report only, always exit 0).</summary>
    private static readonly string[] FailOnChoices = ["low", "medium", "high", "critical", "none"];

    public static Option<string> FailOn(string what)
    {
        var failOn = new Option<string>("--fail-on")
        {
            HelpName = string.Join('|', FailOnChoices),
            Description = $"Lowest severity that makes the {what} exit 1; none reports only.",
            DefaultValueFactory = _ => "high",
        };
        failOn.AcceptOnlyFromAmong(FailOnChoices);
        return failOn;
    }

    /// <summary>The threshold <c>--fail-on</c> names; null for <c>none</c>.</summary>
    public static Severity? ParseFailOn(string? text) =>
        ReportNames.TryParseSeverity(text, out var severity) ? severity : null;

    /// <summary><c>--color</c>, on every command (recursive): auto colours a terminal unless NO_COLOR is set.</summary>
    public static Option<string> Color()
    {
        var color = new Option<string>("--color")
        {
            HelpName = "auto|always|never",
            Description = "Colour in text output: auto (on a terminal, unless NO_COLOR is set), always, never.",
            DefaultValueFactory = _ => "auto",
            Recursive = true,
        };
        color.AcceptOnlyFromAmong("auto", "always", "never");
        return color;
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

/// <summary>
/// Values read inside validators. A validator also runs when an option's own value failed to parse
/// (<c>--threads=abc</c>, <c>--range=</c>); reading it then throws, so these give the default and
/// leave the parser's own error ("cannot parse 'abc'") to be reported.
/// </summary>
internal static class ValidatorValues
{
    public static T? Value<T>(this System.CommandLine.Parsing.CommandResult result, Option<T> option)
    {
        try
        {
            return result.GetValue(option);
        }
        catch (InvalidOperationException)
        {
            return default;
        }
    }

    public static T? Value<T>(this System.CommandLine.Parsing.CommandResult result, Argument<T> argument)
    {
        try
        {
            return result.GetValue(argument);
        }
        catch (InvalidOperationException)
        {
            return default;
        }
    }

    public static T? Value<T>(this System.CommandLine.Parsing.OptionResult result)
    {
        try
        {
            return result.GetValueOrDefault<T>();
        }
        catch (InvalidOperationException)
        {
            return default;
        }
    }
}
