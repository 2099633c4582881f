using System.CommandLine;
using HogGuard.Setup;

namespace HogGuard.Cli;

/// <summary><c>hogguard init</c>: proposes a commented hogguard.yml for a repository and adds the .gitignore lines it lacks.</summary>
internal sealed class InitCommand(CliConsole console)
{
    public Command Create()
    {
        var path = new Argument<string>("PATH") { Description = "The repository to set up.", DefaultValueFactory = _ => "." };
        var force = new Option<bool>("--force") { Description = "Replace an existing hogguard.yml." };
        var command = new Command(
            "init",
            "Look at a repository (.env files and templates, appsettings*.json, user-secrets ids, POSTHOG_* settings in CI files) and write a commented hogguard.yml proposing environments, key sources and purposes (never a value), plus the .gitignore lines it lacks.")
        {
            path, force,
        };
        command.SetRun(console, result =>
        {
            var root = console.FullPath(result.GetValue(path)!);
            var outcome = RepositoryInit.Run(root, result.GetValue(force), DateOnly.FromDateTime(DateTime.UtcNow));
            var keys = outcome.Survey.Keys;
            var environments = keys.Select(k => k.Environment).Distinct().Count();
            console.Out.WriteLine(keys.Count == 0
                ? $"wrote {outcome.ConfigPath}: no PostHog keys found, so it holds a commented example to fill in"
                : $"wrote {outcome.ConfigPath}: {keys.Count} key(s) in {environments} environment(s), from {string.Join(", ", outcome.Survey.Examined)}");
            foreach (var key in keys.Where(k => k.Guessed))
            {
                console.Out.WriteLine($"  check: {key.Environment}/{key.Name} ({key.Source}): its purpose is a guess from its name");
            }

            if (outcome.IgnoredNow.Count > 0)
            {
                console.Out.WriteLine($"added to .gitignore: {string.Join(", ", outcome.IgnoredNow)}");
            }

            if (outcome.Note is { } note)
            {
                console.Error.WriteLine($"hogguard: note: {note}");
            }

            console.Out.WriteLine("next: review it, then run 'hogguard keys audit' and 'hogguard check .'");
            return ExitCodes.Clean;
        });
        return command;
    }
}
