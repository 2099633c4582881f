using HogGuard.Detection;

namespace HogGuard.Checklist;

/// <summary>Item 2: git ignores .env files and tracks none (skipped outside git).</summary>
internal sealed class EnvFilesIgnored() : SecurityCheck(2, "env-files-ignored", ".env files are ignored and none is tracked")
{
    protected override CheckItem Run(CheckContext c)
    {
        if (!c.IsGit)
        {
            return Skip(["not a git repository"]);
        }

        var tracked = c.Scan.Findings.Where(f => f.Rule.Id == Rules.EnvFileCommitted.Id).ToList();
        var unignored = c.Scan.Findings.Where(f => f.Rule.Id == Rules.GitignoreMissingEnv.Id).ToList();
        if (tracked.Count == 0 && unignored.Count == 0)
        {
            return Pass([".gitignore ignores .env files and git tracks none"]);
        }

        var evidence = tracked.Select(f => $"tracked: {f.Locations[0].Path}").Concat(unignored.Select(f => $"{f.Locations[0].Path}: .env is not ignored")).ToList();
        return Fail(evidence, tracked.Count > 0 ? Rules.EnvFileCommitted.Fix : Rules.GitignoreMissingEnv.Fix);
    }
}
