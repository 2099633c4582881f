using System.CommandLine;

namespace HogGuard.Cli;

/// <summary>
/// <c>hogguard completion bash|zsh|fish|pwsh</c> prints a script that completes hogguard's commands,
/// options and option values in that shell. Each script asks the tool itself
/// (<c>hogguard __complete -- WORDS</c>), so completion always matches the installed version.
/// </summary>
internal sealed class CompletionCommand(CliConsole console)
{
    /// <summary>The hidden entry point the scripts call; not a command, so it is never in help.</summary>
    public const string Complete = "__complete";

    public Command Create()
    {
        var shell = new Argument<string>("SHELL") { Description = "bash, zsh, fish or pwsh." };
        shell.AcceptOnlyFromAmong("bash", "zsh", "fish", "pwsh");
        var command = new Command("completion", "Print a shell completion script: eval \"$(hogguard completion bash)\", or save it where your shell loads completions.") { shell };
        command.SetRun(console, result =>
        {
            console.Out.Write(Script(result.GetValue(shell)!));
            return ExitCodes.Clean;
        });
        return command;
    }

    /// <summary>The completions for the words after <c>hogguard</c>, the last being the one typed so far (empty after a space).</summary>
    public static IEnumerable<string> Suggest(CliConsole console, IReadOnlyList<string> words)
    {
        var typed = words.Count > 0 ? words[^1] : string.Empty;

        // Parsed as the line the shell holds, so an empty last word means "after a space": the
        // completions are then those of the position after the previous word (an option's values).
        var line = string.Join(' ', words.Select(w => w.Contains(' ', StringComparison.Ordinal) ? $"\"{w}\"" : w));
        var parse = CliApp.CreateRoot(console).Parse(line);
        return parse.GetCompletions(line.Length)
            .Select(c => c.Label)
            .Where(l => l.StartsWith(typed, StringComparison.Ordinal) && !l.StartsWith('/'))
            .Distinct(StringComparer.Ordinal);
    }

    private static string Script(string shell) => shell switch
    {
        "bash" => """
            # hogguard completion for bash: eval "$(hogguard completion bash)"
            _hogguard() {
                local IFS=$'\n'
                COMPREPLY=( $(hogguard __complete -- "${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null) )
            }
            complete -o default -F _hogguard hogguard

            """,
        "zsh" => """
            #compdef hogguard
            # hogguard completion for zsh: eval "$(hogguard completion zsh)"
            _hogguard() {
                local -a items
                items=("${(@f)$(hogguard __complete -- "${(@)words[2,CURRENT]}" 2>/dev/null)}")
                compadd -a items
            }
            compdef _hogguard hogguard

            """,
        "fish" => """
            # hogguard completion for fish: hogguard completion fish > ~/.config/fish/completions/hogguard.fish
            complete -c hogguard -f -a '(hogguard __complete -- (commandline -opc)[2..-1] (commandline -ct) 2>/dev/null)'

            """,
        _ => """
            # hogguard completion for PowerShell: hogguard completion pwsh | Out-String | Invoke-Expression
            Register-ArgumentCompleter -Native -CommandName hogguard -ScriptBlock {
                param($wordToComplete, $commandAst, $cursorPosition)
                $words = @($commandAst.CommandElements | Select-Object -Skip 1 | ForEach-Object { $_.ToString() })
                if ($wordToComplete -eq '') { $words += '' }
                hogguard __complete -- @words 2>$null | ForEach-Object {
                    [System.Management.Automation.CompletionResult]::new($_, $_, 'ParameterValue', $_)
                }
            }

            """,
    };
}
