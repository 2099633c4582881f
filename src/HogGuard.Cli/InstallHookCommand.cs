using System.CommandLine;
using HogGuard.Sources;

namespace HogGuard.Cli;

/// <summary><c>hogguard install-hook</c>: writes a pre-commit hook that runs <c>hogguard scan --staged</c>.</summary>
internal static class InstallHookCommand
{
    public static Command Create()
    {
        var path = new Argument<string>("PATH") { Description = "A path inside the repository.", DefaultValueFactory = _ => "." };
        var force = new Option<bool>("--force") { Description = "Replace an existing pre-commit hook (it is kept as pre-commit.hogguard-backup)." };
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Show stack traces on errors." };
        var command = new Command("install-hook", "Install a git pre-commit hook that blocks commits adding PostHog secrets.") { path, force, verbose };
        command.SetAction(result =>
        {
            try
            {
                var hook = Install(result.GetValue(path) ?? ".", result.GetValue(force));
                Console.Out.WriteLine($"Installed the pre-commit hook at {hook}.");
                return ExitCodes.Clean;
            }
            catch (Exception e)
            {
                return CliError.Report(e, Console.Error, result.GetValue(verbose));
            }
        });
        return command;
    }

    public static string Install(string path, bool force) => PreCommitHook.Install(path, force, FallbackCommand());

    private static string FallbackCommand()
    {
        var process = Environment.ProcessPath ?? "hogguard";
        var assembly = Path.Combine(AppContext.BaseDirectory, "hogguard.dll");
        return Path.GetFileNameWithoutExtension(process) == "dotnet" && File.Exists(assembly) ? $"{Quote(process)} {Quote(assembly)}" : Quote(process);
    }

    private static string Quote(string text) => "'" + text.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
