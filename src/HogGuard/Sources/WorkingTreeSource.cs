using HogGuard.Detection;
using HogGuard.IO;

namespace HogGuard.Sources;

/// <summary>
/// Scans files on disk: in a git work tree, the tracked files and the untracked files git does not
/// ignore (as <c>git ls-files</c> lists them); otherwise, or with --no-git, every regular file
/// below the root except the <c>.git</c> folder. Files are scanned in parallel, one window at a time.
/// </summary>
internal static class WorkingTreeSource
{
    public static void Scan(ScanOptions options, string root, FindingSet sink, ScanStatistics stats, List<string> warnings, CancellationToken cancellationToken)
    {
        if (File.Exists(root))
        {
            // A path the user named must be a regular file: a FIFO or a device (/dev/zero) would
            // block or never end, so it is refused with one line rather than skipped.
            var kind = UnixOwnership.KindOf(root);
            if (kind is not (null or UnixFileKind.Regular))
            {
                throw new ScanInputException($"{root} is a {UnixOwnership.Describe(kind.Value)}, not a regular file; scan a file or a folder");
            }

            // A named symbolic link is followed (to the regular file it names), reported under the name given.
            ScanFile(Path.GetDirectoryName(root)!, Path.GetFileName(root), options, sink, stats, warnings, followLink: true);
            return;
        }

        var useGit = !options.NoGit && Git.IsInsideWorkTree(root);
        IEnumerable<string> files;
        HashSet<string> trackedSet = [];
        if (useGit)
        {
            var tracked = Git.SplitNul(Git.RunChecked(root, "ls-files", "-z", "--cached"));
            var untracked = Git.SplitNul(Git.RunChecked(root, "ls-files", "-z", "--others", "--exclude-standard"));
            files = tracked.Concat(untracked).Distinct(StringComparer.Ordinal).ToList();
            trackedSet = tracked.ToHashSet(StringComparer.Ordinal);
            foreach (var path in tracked.Where(EnvFiles.IsEnvFile).Where(p => !EnvFiles.IsTemplate(p)))
            {
                sink.Add(EnvFiles.CommittedHit(path));
            }

            if (EnvFiles.GitignoreHit(root) is { } gitignore)
            {
                sink.Add(gitignore);
            }

            // A submodule is another repository: its files are not this one's to list, so say so.
            foreach (var entry in Git.SplitNul(Git.RunChecked(root, "ls-files", "-z", "--stage")))
            {
                if (entry.StartsWith("160000 ", StringComparison.Ordinal) && entry.IndexOf('\t', StringComparison.Ordinal) is var tab and > 0)
                {
                    var submodule = entry[(tab + 1)..];
                    warnings.Add($"submodule {submodule} is not scanned (it is another repository); scan it with 'hogguard scan {submodule}' (add --history for its history)");
                    files = files.Where(f => f != submodule);
                }
            }
        }
        else
        {
            files = EnumerateFiles(root, stats, warnings);
        }

        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.Parallelism), CancellationToken = cancellationToken };
        var toScan = files.Where(f => !PathGlob.AnyMatch(options.Config.AllowPaths, f)).ToList();
        stats.Total = toScan.Count;
        Parallel.ForEach(
            toScan,
            parallel,
            path =>
            {
                ScanFile(root, path, options, sink, stats, warnings);
                options.Progress?.Report(stats);
            });

        if (useGit)
        {
            // A committed template (.env.example) matters only when it holds a real secret.
            var hits = sink.Hits.ToList();
            foreach (var template in hits.Where(h => h.Rule.Severity >= Severity.High && h.Rule != Rules.EnvFileCommitted
                         && trackedSet.Contains(h.Location.Path) && EnvFiles.IsEnvFile(h.Location.Path) && EnvFiles.IsTemplate(h.Location.Path))
                         .Select(h => h.Location.Path).Distinct())
            {
                sink.Add(EnvFiles.CommittedHit(template));
            }
        }
    }

    private static void ScanFile(string root, string relative, ScanOptions options, FindingSet sink, ScanStatistics stats, List<string> warnings, bool followLink = false)
    {
        var full = Path.Combine(root, relative);
        try
        {
            var info = new FileInfo(full);
            if (followLink && info.LinkTarget is not null && info.ResolveLinkTarget(returnFinalTarget: true) is FileInfo { Exists: true } target)
            {
                info = target;
            }

            if (!info.Exists && relative.Contains('\uFFFD', StringComparison.Ordinal))
            {
                // A name that is not UTF-8 cannot be opened through .NET's string paths: open it by
                // the bytes of its name, reported under its UTF-8 reading; never skip it silently.
                var raw = RegularFile.RawNamesMatching(Path.GetDirectoryName(full)!, Path.GetFileName(full));
                if (raw.Count == 0)
                {
                    stats.AddUnreadable();
                    lock (warnings)
                    {
                        warnings.Add($"could not read {relative}: its name (or its folder's) is not valid UTF-8; rename it, or scan the history (--history reads it by object id)");
                    }

                    return;
                }

                foreach (var name in raw)
                {
                    using var byName = RegularFile.OpenRead(name, relative);
                    if (new ContentScanner(sink, options.Archives).Scan(byName, -1, relative.Replace('\\', '/')) == ContentOutcome.Binary)
                    {
                        stats.AddBinary();
                    }
                    else
                    {
                        stats.AddScanned(byName.Length);
                    }
                }

                return;
            }

            if (!info.Exists || info.LinkTarget is not null)
            {
                // Deleted but still tracked, or a symbolic link (its target is scanned where it lives).
                return;
            }

            if (info.Length > options.Config.MaxFileSize)
            {
                stats.AddTooLarge();
                lock (warnings)
                {
                    warnings.Add($"skipped {relative}: {info.Length:N0} bytes is over the {options.Config.MaxFileSize:N0}-byte limit (scan.max_file_size or --max-file-size)");
                }

                return;
            }

            // Regular files only, decided on the opened handle: a FIFO or device in the tree is skipped with a note.
            using var stream = RegularFile.OpenRead(full, FileOptions.SequentialScan);
            var outcome = new ContentScanner(sink, options.Archives).Scan(stream, -1, relative.Replace('\\', '/'));
            if (outcome == ContentOutcome.Binary)
            {
                stats.AddBinary();
            }
            else
            {
                stats.AddScanned(info.Length);
            }
        }
        catch (NotARegularFileException e)
        {
            lock (warnings)
            {
                warnings.Add($"skipped {relative}: a {e.Kind}, not a regular file");
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            stats.AddUnreadable();
            lock (warnings)
            {
                warnings.Add($"could not read {relative}: {e.Message}");
            }
        }
    }

    /// <summary>Every file below <paramref name="root"/> (no links, no <c>.git</c>); a folder that cannot be read is counted and named, never skipped silently.</summary>
    private static List<string> EnumerateFiles(string root, ScanStatistics stats, List<string> warnings)
    {
        var options = new EnumerationOptions { RecurseSubdirectories = false, IgnoreInaccessible = false, AttributesToSkip = FileAttributes.ReparsePoint, ReturnSpecialDirectories = false };
        var files = new List<string>();
        var folders = new Stack<string>([root]);
        while (folders.Count > 0)
        {
            var folder = folders.Pop();
            try
            {
                foreach (var file in Directory.EnumerateFiles(folder, "*", options))
                {
                    files.Add(Path.GetRelativePath(root, file).Replace('\\', '/'));
                }

                foreach (var sub in Directory.EnumerateDirectories(folder, "*", options))
                {
                    if (Path.GetFileName(sub) != ".git")
                    {
                        folders.Push(sub);
                    }
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                stats.AddUnreadable();
                warnings.Add($"could not read the folder {Path.GetRelativePath(root, folder).Replace('\\', '/')}: {e.Message}");
            }
        }

        return files;
    }
}
