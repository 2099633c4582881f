using System.Text;
using HogGuard.IO;

namespace HogGuard.Sources;

/// <summary>Writes the pre-commit hook that runs <c>hogguard scan --staged</c>, never replacing someone's hook unasked.</summary>
public static class PreCommitHook
{
    /// <summary>Installs the hook in the repository around <paramref name="path"/> and returns its path.</summary>
    /// <param name="fallbackCommand">Shell words that run hogguard when it is not on PATH (already quoted).</param>
    /// <exception cref="ScanInputException">Not a work tree, or a hook exists and <paramref name="force"/> is false.</exception>
    public static string Install(string path, bool force, string fallbackCommand)
    {
        if (!Directory.Exists(path) || !Git.IsInsideWorkTree(path))
        {
            throw new ScanInputException($"{path} is not inside a git work tree; run install-hook in the repository the hook should guard");
        }

        var hooks = Encoding.UTF8.GetString(Git.RunChecked(path, "rev-parse", "--path-format=absolute", "--git-path", "hooks")).Trim();
        Directory.CreateDirectory(hooks);
        var hook = Path.Combine(hooks, "pre-commit");
        if (File.Exists(hook))
        {
            if (!force)
            {
                throw new ScanInputException($"a pre-commit hook already exists at {hook}; pass --force to replace it (the old one is kept as pre-commit.hogguard-backup), or call 'hogguard scan --staged' from it yourself");
            }

            // HogGuard's own hook needs no backup; anyone else's is kept, never overwritten: a
            // second --force once replaced the saved original with HogGuard's own hook.
            if (!File.ReadAllText(hook).Contains(Marker, StringComparison.Ordinal))
            {
                var backup = hook + ".hogguard-backup";
                for (var n = 1; File.Exists(backup); n++)
                {
                    backup = $"{hook}.hogguard-backup.{n}";
                }

                File.Copy(hook, backup, overwrite: false);
            }
        }

        AtomicFile.Write(
            hook,
            stream => stream.Write(Encoding.UTF8.GetBytes(Script(fallbackCommand))),
            UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        return hook;
    }

    private const string Marker = "# Installed by 'hogguard install-hook'";

    /// <summary>The hook script: hogguard from PATH if there is one, else the command it was installed with.</summary>
    public static string Script(string fallbackCommand) => $"""
        #!/bin/sh
        # Installed by 'hogguard install-hook': refuses a commit that adds a PostHog secret.
        # For a false positive, mark the line 'hogguard:allow' (or bypass once: git commit --no-verify).
        if command -v hogguard >/dev/null 2>&1; then
          exec hogguard scan --staged --no-progress .
        fi
        exec {fallbackCommand} scan --staged --no-progress .

        """;
}
