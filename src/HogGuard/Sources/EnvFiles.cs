using HogGuard.Detection;
using HogGuard.Keys;

namespace HogGuard.Sources;

/// <summary>The <c>.env</c> checks: which names are env files, which are templates, and the hits for them.</summary>
internal static class EnvFiles
{
    private static readonly string[] TemplateSuffixes = ["example", "sample", "template", "dist", "defaults", "tpl", "schema"];

    /// <summary>The paths .gitignore must ignore.</summary>
    public static readonly string[] MustIgnore = [".env", ".env.local", ".env.production.local"];

    /// <summary>The .gitignore rules a user should add, matching <see cref="MustIgnore"/>.</summary>
    public static readonly string[] Patterns = [".env", ".env.local", ".env.*.local"];

    /// <summary><c>.env</c>, <c>.env.*</c>, and <c>NAME.env</c> (as <c>docker --env-file production.env</c> reads); templates of each too.</summary>
    public static bool IsEnvFile(string path)
    {
        var name = Path.GetFileName(path);
        return name == ".env" || name.StartsWith(".env.", StringComparison.Ordinal)
            || (name.Length > 4 && (name.EndsWith(".env", StringComparison.Ordinal) || name.Contains(".env.", StringComparison.Ordinal)));
    }

    public static bool IsTemplate(string path)
    {
        var name = Path.GetFileName(path);
        var last = name[(name.LastIndexOf('.') + 1)..];
        return TemplateSuffixes.Contains(last, StringComparer.OrdinalIgnoreCase);
    }

    public static Hit CommittedHit(string path, Location? location = null, string? blobId = null) =>
        new(Rules.EnvFileCommitted, "env_file", SecretMasking.Fingerprint(Rules.EnvFileCommitted.Id + ":" + path), path, location ?? new Location(path), blobId);

    /// <summary>
    /// A committed env file stays high when it holds a secret (a secret token, or a literal in a
    /// key-like setting); one that holds only public values (a <c>phc_</c> project token, a host) is
    /// medium, with that evidence. "What the file holds" is the other sightings in the same file
    /// (working tree, staged) or the same blob (history).
    /// </summary>
    public static IReadOnlyCollection<Hit> AssessCommitted(IReadOnlyCollection<Hit> hits)
    {
        if (!hits.Any(h => h.Rule == Rules.EnvFileCommitted))
        {
            return hits;
        }

        static string FileOf(Hit h) => h.BlobId ?? h.Location.Path;
        var byFile = hits.Where(h => h.Rule != Rules.EnvFileCommitted && h.Rule != Rules.GitignoreMissingEnv).ToLookup(FileOf, StringComparer.Ordinal);
        return [.. hits.Select(h =>
        {
            if (h.Rule != Rules.EnvFileCommitted)
            {
                return h;
            }

            var held = byFile[FileOf(h)].ToList();
            if (held.Any(x => x.Rule.Severity > Severity.Low))
            {
                return h;
            }

            var publicValues = held.Select(x => x.Masked).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
            return h with
            {
                SeverityOverride = Severity.Medium,
                Detail = publicValues.Count > 0 ? $"holds only public values: {string.Join(", ", publicValues)}" : "holds no PostHog secret",
            };
        })];
    }

    /// <summary>The <see cref="Patterns"/> whose example path .gitignore under <paramref name="root"/> does not ignore (git decides).</summary>
    public static List<string> MissingIgnorePatterns(string root)
    {
        var (code, output, error) = Git.Run(root, ["check-ignore", "--no-index", .. MustIgnore]);
        if (code > 1)
        {
            throw new GitException($"git check-ignore failed in {root}: {Git.FirstLine(error)}");
        }

        var ignored = System.Text.Encoding.UTF8.GetString(output).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);
        return [.. MustIgnore.Select((p, i) => (Path: p, Pattern: Patterns[i])).Where(x => !ignored.Contains(x.Path)).Select(x => x.Pattern)];
    }

    /// <summary>The finding for env names .gitignore fails to ignore under <paramref name="root"/>, or null.</summary>
    public static Hit? GitignoreHit(string root)
    {
        var missing = MissingIgnorePatterns(root);
        if (missing.Count == 0)
        {
            return null;
        }

        var what = "not ignored: " + string.Join(", ", missing);
        return new Hit(Rules.GitignoreMissingEnv, "gitignore", SecretMasking.Fingerprint(Rules.GitignoreMissingEnv.Id + ":" + string.Join(",", missing)), what, new Location(".gitignore"));
    }
}
