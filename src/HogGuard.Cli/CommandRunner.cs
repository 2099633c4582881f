using System.CommandLine;

namespace HogGuard.Cli;

/// <summary>
/// The one place where a command's failures become exit codes: an interruption prints one line and
/// exits 130, any other failure one redacted line (the stack trace only with <c>--verbose</c>) and 2.
/// </summary>
internal static class CommandRunner
{
    /// <param name="interrupted">What the user is told after Ctrl-C, e.g. "scan cancelled; no report was written".</param>
    public static void SetRun(this Command command, CliConsole console, string interrupted, Func<ParseResult, CancellationToken, Task<int>> action)
    {
        command.SetAction(async (result, cancellationToken) =>
        {
            try
            {
                console.ColorMode = result.GetValue<string>("--color") ?? "auto";
                return await action(result, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                await console.Error.WriteLineAsync($"hogguard: {interrupted}");
                return ExitCodes.Cancelled;
            }
            catch (Exception e)
            {
                return CliError.Report(e, console.Error, IsVerbose(result));
            }
        });
    }

    /// <summary>The synchronous form of <see cref="SetRun(Command, CliConsole, string, Func{ParseResult, CancellationToken, Task{int}})"/>.</summary>
    public static void SetRun(this Command command, CliConsole console, Func<ParseResult, int> action) =>
        command.SetRun(console, "interrupted", (result, _) => Task.FromResult(action(result)));

    private static bool IsVerbose(ParseResult result) =>
        result.GetValue<bool>("--verbose");
}
