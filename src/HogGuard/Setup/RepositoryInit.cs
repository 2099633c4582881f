using System.Text;
using HogGuard.Configuration;
using HogGuard.IO;
using HogGuard.Sources;

namespace HogGuard.Setup;

/// <summary>What <c>hogguard init</c> did.</summary>
internal sealed record InitResult(string ConfigPath, Survey Survey, IReadOnlyList<string> IgnoredNow, string? Note);

/// <summary>
/// <c>hogguard init</c>: proposes a <c>hogguard.yml</c> for a repository (see <see cref="RepositorySurvey"/>)
/// and adds the <c>.gitignore</c> lines for env files it lacks. Never overwrites a configuration
/// unless told to; the file is written atomically and only once HogGuard itself accepts it.
/// </summary>
internal static class RepositoryInit
{
    public static InitResult Run(string root, bool force, DateOnly today)
    {
        if (!Directory.Exists(root))
        {
            throw new ScanInputException($"{root} is not a folder; pass the repository to set up");
        }

        var configPath = Path.Combine(root, HogGuardConfig.FileName);
        if (File.Exists(configPath) && !force)
        {
            throw new ConfigurationException($"{configPath} already exists; keep it, or pass --force to replace it with a new proposal");
        }

        var survey = RepositorySurvey.Run(root);
        var text = ConfigDraft.Render(survey, today);

        // Only what HogGuard reads back is written: a proposal the parser refuses would be a trap.
        HogGuardConfig.Parse(text, configPath);
        AtomicFile.WriteOutput(configPath, s => s.Write(Encoding.UTF8.GetBytes(text)));

        if (Git.WhyNotRepository(root) is { } reason)
        {
            return new InitResult(configPath, survey, [], $"not a git repository ({reason}), so .gitignore was not checked");
        }

        var missing = EnvFiles.MissingIgnorePatterns(root);
        if (missing.Count > 0)
        {
            var gitignore = Path.Combine(root, ".gitignore");
            var existing = File.Exists(gitignore) ? RegularFile.ReadAllText(gitignore, HogGuardConfig.MaxConfigBytes) : string.Empty;
            var added = new StringBuilder(existing);
            if (existing.Length > 0 && !existing.EndsWith('\n'))
            {
                added.Append('\n');
            }

            added.Append("# env files hold secrets (added by 'hogguard init')\n");
            foreach (var pattern in missing)
            {
                added.Append(pattern).Append('\n');
            }

            AtomicFile.WriteOutput(gitignore, s => s.Write(Encoding.UTF8.GetBytes(added.ToString())));
        }

        return new InitResult(configPath, survey, missing, null);
    }
}
