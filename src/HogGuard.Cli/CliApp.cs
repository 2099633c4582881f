using System.CommandLine;
using System.CommandLine.Help;

namespace HogGuard.Cli;

/// <summary>The whole command line: builds the commands over one <see cref="CliConsole"/>, parses, runs.</summary>
internal static class CliApp
{
    /// <summary>
    /// The root is named <c>hogguard</c> whatever runs it (a test host, <c>dotnet hogguard.dll</c>, a
    /// native build), so help reads the same everywhere.
    /// </summary>
    public static Command CreateRoot(CliConsole console)
    {
        var root = new Command("hogguard", "HogGuard: find exposed PostHog secrets in files, staged changes and git history.")
        {
            new HelpOption(),
            new VersionOption(),
            CommonOptions.Verbose(),
            CommonOptions.Color(),
            new ScanCommand(console).Create(),
            new InitCommand(console).Create(),
            new InstallHookCommand(console).Create(),
            new KeysCommand(console).Create(),
            new WebhookCommand(console).Create(),
            new AuditCommand(console).Create(),
            new CheckCommand(console).Create(),
            new CompletionCommand(console).Create(),
        };

        // Bare 'hogguard' shows what it can do rather than a usage error.
        root.SetAction(result => new HelpAction().Invoke(result));
        return root;
    }

    /// <param name="cancellationToken">Cancelled on Ctrl-C (the process's own signal handling, in Program); the command then exits 130.</param>
    public static async Task<int> RunAsync(string[] args, CliConsole console, CancellationToken cancellationToken = default)
    {
        if (args.Length > 0 && args[0] == CompletionCommand.Complete)
        {
            var words = args.Length > 1 && args[1] == "--" ? args[2..] : args[1..];
            foreach (var suggestion in CompletionCommand.Suggest(console, words))
            {
                await console.Out.WriteLineAsync(suggestion);
            }

            return ExitCodes.Clean;
        }

        ParseResult parse;
        try
        {
            parse = CreateRoot(console).Parse(args);
        }
        catch (Exception e) when (e is NotSupportedException or InvalidOperationException or ArgumentException or FormatException)
        {
            // A parser that throws is a bug of ours, never a crash the user sees.
            return CliError.Report(e, console.Error, args.Contains("--verbose") || args.Contains("-v"));
        }

        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                await console.Error.WriteLineAsync($"hogguard: {error.Message}");
            }

            await console.Error.WriteLineAsync("Run 'hogguard --help' (or 'hogguard scan --help') for usage.");
            return ExitCodes.UsageError;
        }

        var configuration = new InvocationConfiguration
        {
            EnableDefaultExceptionHandler = false,
            Output = console.Out,
            Error = console.Error,

            // Signals are handled by the host (Program), so in-process runs never touch them.
            ProcessTerminationTimeout = null,
        };

        return await parse.InvokeAsync(configuration, cancellationToken);
    }
}
