using System.CommandLine;
using HogGuard.Sources;

namespace HogGuard.Cli;

/// <summary><c>hogguard install-hook</c>: writes a pre-commit hook that runs <c>hogguard scan --staged</c>.</summary>
internal sealed class InstallHookCommand(CliConsole console)
{
    public Command Create()
    {
        var path = new Argument<string>("PATH") { Description = "A path inside the repository.", DefaultValueFactory = _ => "." };
        var force = new Option<bool>("--force") { Description = "Replace an existing pre-commit hook (it is kept as pre-commit.hogguard-backup)." };
        var command = new Command("install-hook", "Install a git pre-commit hook that blocks commits adding PostHog secrets.") { path, force };
        command.SetRun(console, result =>
        {
            var hook = PreCommitHook.Install(console.FullPath(result.GetValue(path) ?? "."), result.GetValue(force), FallbackCommand());
            console.Out.WriteLine($"Installed the pre-commit hook at {hook}.");
            return ExitCodes.Clean;
        });
        return command;
    }

    /// <summary>How the hook runs this tool when <c>hogguard</c> is not on PATH: this very executable (or dotnet and this assembly).</summary>
    private static string FallbackCommand()
    {
        var process = Environment.ProcessPath ?? "hogguard";
        var assembly = Path.Combine(AppContext.BaseDirectory, "hogguard.dll");
        return Path.GetFileNameWithoutExtension(process) == "dotnet" && File.Exists(assembly) ? $"{Quote(process)} {Quote(assembly)}" : Quote(process);
    }

    private static string Quote(string text) => "'" + text.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
