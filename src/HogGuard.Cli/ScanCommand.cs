using System.CommandLine;
using HogGuard.Configuration;
using HogGuard.Detection;
using HogGuard.Reports;
using HogGuard.Sources;

namespace HogGuard.Cli;

/// <summary><c>hogguard scan</c>: parses options, runs the library's scanner, writes the report, picks the exit code.</summary>
internal sealed class ScanCommand(CliConsole console)
{
    public Command Create()
    {
        var path = new Argument<string>("PATH") { Description = "Folder, file or repository to scan; '-' reads standard input.", DefaultValueFactory = _ => "." };
        var history = new Option<bool>("--history") { Description = "Scan every blob reachable from any ref (branches, tags, remotes) of the repository at PATH." };
        var staged = new Option<bool>("--staged") { Description = "Scan the lines the next commit would add (for a pre-commit hook)." };
        var noGit = new Option<bool>("--no-git") { Description = "Scan every file under PATH, ignoring git and .gitignore." };
        var format = CommonOptions.Format("text", "json", "sarif", "github");
        var output = CommonOptions.Output();
        var sarif = new Option<string?>("--sarif") { HelpName = "FILE", Description = "Also write a SARIF report to FILE (for code scanning), whatever --format prints." };
        var failOn = CommonOptions.FailOn("scan");
        var failOnLive = new Option<string?>("--fail-on-live")
        {
            HelpName = "strict",
            Arity = ArgumentArity.ZeroOrOne,
            Description = "With --verify: exit 1 only for secrets PostHog accepts, or could not judge (kinds it cannot check, hosts that did not answer); =strict: only for secrets it accepts.",
            CustomParser = r => r.Tokens.Count == 0 ? "live" : r.Tokens[0].Value,
        };
        failOnLive.Validators.Add(r =>
        {
            if (r.Value<string?>() is { } mode and not ("live" or "strict"))
            {
                r.AddError($"--fail-on-live takes no value but '=strict' (got '{mode}'); write --fail-on-live or --fail-on-live=strict, and put PATH before the option");
            }
        });
        var baseline = new Option<string?>("--baseline") { HelpName = "FILE", Description = "Hide the findings listed in FILE (made with --write-baseline; default: scan.baseline in hogguard.yml)." };
        var noBaseline = new Option<bool>("--no-baseline") { Description = "Ignore scan.baseline in hogguard.yml and report every finding." };
        var since = new Option<string?>("--since") { HelpName = "REF", Description = "With --history: only blobs the commits after REF introduced (REF..HEAD)." };
        var range = new Option<string?>("--range") { HelpName = "BASE..HEAD", Description = "With --history: only blobs the commits of HEAD that BASE lacks introduced (a pull request)." };
        var unreachable = new Option<bool>("--unreachable") { Description = "With --history: also scan blobs no ref reaches (reflog entries, dangling objects left by a force-push or rebase)." };
        var allCommits = new Option<bool>("--all-commits") { Description = "With --history: list every commit that wrote a secret's blob at each path, not only the first." };
        var failOnShallow = new Option<bool>("--fail-on-shallow") { Description = "With --history: exit 2 on a shallow clone, whose older commits cannot be scanned (default: a warning)." };
        var writeBaseline = new Option<string?>("--write-baseline") { HelpName = "FILE", Description = "Write every current finding to FILE as a baseline and exit 0." };
        var config = CommonOptions.ConfigBesidePath();
        var maxFileSize = new Option<string?>("--max-file-size") { HelpName = "SIZE", Description = "Skip files and blobs larger than this (e.g. 100MB; default from hogguard.yml, else 100MB)." };
        var noArchives = new Option<bool>("--no-archives") { Description = "Do not open archives (zip, jar, nupkg, whl, tar, tgz, gz); by default their members are scanned as files (path archive.zip!member)." };
        var archiveMaxSize = new Option<string?>("--archive-max-size") { HelpName = "SIZE", Description = "Stop reading an archive after this much unpacked content, nested archives included (default 256MB)." };
        var noProgress = new Option<bool>("--no-progress") { Description = "No live progress display on stderr." };
        var threads = new Option<int?>("--threads") { HelpName = "N", Description = "Content scanners (and git readers for --history) to run at once (default: the number of cores)." };
        threads.Validators.Add(r =>
        {
            if (r.Value<int?>() is < 1 or > 256)
            {
                r.AddError("--threads must be between 1 and 256");
            }
        });

        var verify = new Option<bool>("--verify") { Description = "Ask PostHog whether each secret found is live, and what it can do (the only network use of scan)." };
        var revoke = new Option<bool>("--revoke") { Description = "Revoke every live secret found through PostHog's public revocation endpoint (implies --verify; asks first unless --yes)." };
        var yes = new Option<bool>("--yes", "-y") { Description = "Do not ask before revoking." };
        var allowMissing = new Option<bool>("--allow-missing-objects") { Description = "With --history: only warn about objects that are missing or damaged (default: exit 2; a partial clone only warns)." };
        var skipUnreadable = new Option<bool>("--skip-unreadable") { Description = "Only warn about files and folders that cannot be read (default: exit 2, the scan being incomplete)." };
        var host = CommonOptions.Hosts("PostHog host to check keys against (repeatable; default https://us.posthog.com then https://eu.posthog.com).");
        var ingestion = CommonOptions.IngestionHosts();
        var command = new Command("scan", "Find exposed PostHog secrets. Exit codes: 0 clean, 1 findings at or above --fail-on, 2 bad usage or unreadable input.")
        {
            path, history, since, range, allCommits, unreachable, staged, noGit, format, output, sarif, failOn, failOnLive, baseline, noBaseline, writeBaseline, config, maxFileSize, noArchives, archiveMaxSize, noProgress, threads, verify, revoke, yes, host, ingestion, skipUnreadable, allowMissing, failOnShallow,
        };
        // Combinations that cannot work are refused by the parser, before anything runs.
        command.Validators.Add(r =>
        {
            if (r.Value(history) && r.Value(staged))
            {
                r.AddError("--history and --staged cannot be combined; run them as two scans");
            }

            if (r.Value(path) == "-" && (r.Value(history) || r.Value(staged) || r.Value(noGit)))
            {
                r.AddError("'-' reads standard input, which has no git history or index; drop --history, --staged and --no-git, or pass a repository path");
            }

            if ((r.Value(since) is not null || r.Value(range) is not null || r.Value(failOnShallow) || r.Value(allCommits) || r.Value(unreachable)) && !r.Value(history))
            {
                r.AddError("--since, --range, --all-commits, --unreachable and --fail-on-shallow are about history; add --history");
            }

            if (r.Value(unreachable) && (r.Value(since) is not null || r.Value(range) is not null))
            {
                r.AddError("--unreachable scans what no ref reaches, which no range names; drop --range/--since or --unreachable");
            }

            if (r.Value(since) is not null && r.Value(range) is not null)
            {
                r.AddError("--since REF is --range REF..HEAD; give one of them");
            }

            if (r.GetResult(failOnLive) is not null && !r.Value(verify) && !r.Value(revoke))
            {
                r.AddError("--fail-on-live decides by PostHog's answer; add --verify");
            }

            if (r.GetResult(failOnLive) is not null && r.Value(failOn) == "none")
            {
                r.AddError("--fail-on none never fails, so --fail-on-live has nothing to narrow; drop one of them");
            }

            if (r.Value(sarif) is { } sarifFile && sarifFile == r.Value(output))
            {
                r.AddError("--sarif and --output name the same file; give the SARIF report its own path");
            }

            if (r.Value(baseline) is not null && r.Value(noBaseline))
            {
                r.AddError("--baseline and --no-baseline contradict each other; drop one");
            }

            if ((r.Value(host) is { Length: > 0 } || r.Value(ingestion) is { Length: > 0 }) && !r.Value(verify) && !r.Value(revoke))
            {
                r.AddError("--host and --ingestion-host only matter with --verify or --revoke");
            }
        });
        command.SetRun(console, "scan cancelled; no report was written", (result, cancellationToken) =>
        {
            var settings = new ScanSettings
            {
                Path = result.GetValue(path) ?? ".",
                History = result.GetValue(history),
                Staged = result.GetValue(staged),
                NoGit = result.GetValue(noGit),
                Format = result.GetValue(format) ?? "text",
                Output = result.GetValue(output),
                Sarif = result.GetValue(sarif),
                FailOn = CommonOptions.ParseFailOn(result.GetValue(failOn)),
                FailOnLive = result.GetValue(failOnLive) switch { "strict" => LiveGate.LiveOnly, "live" => LiveGate.LiveOrUnverified, _ => LiveGate.Off },
                NoBaseline = result.GetValue(noBaseline),
                Range = result.GetValue(range) is { } text ? HistoryRange.Parse(text) : result.GetValue(since) is { } from ? HistoryRange.Since(from) : null,
                FailOnShallow = result.GetValue(failOnShallow),
                AllCommits = result.GetValue(allCommits),
                Unreachable = result.GetValue(unreachable),
                Baseline = result.GetValue(baseline),
                WriteBaseline = result.GetValue(writeBaseline),
                Config = result.GetValue(config),
                MaxFileSize = result.GetValue(maxFileSize),
                NoArchives = result.GetValue(noArchives),
                ArchiveMaxSize = result.GetValue(archiveMaxSize),
                NoProgress = result.GetValue(noProgress),
                Threads = result.GetValue(threads) ?? Environment.ProcessorCount,
                Verify = result.GetValue(verify) || result.GetValue(revoke),
                Revoke = result.GetValue(revoke),
                Yes = result.GetValue(yes),
                Hosts = result.GetValue(host) ?? [],
                IngestionHosts = result.GetValue(ingestion) ?? [],
                SkipUnreadable = result.GetValue(skipUnreadable),
                AllowMissingObjects = result.GetValue(allowMissing),
            };
            return RunAsync(settings, cancellationToken);
        });
        return command;
    }

    private async Task<int> RunAsync(ScanSettings settings, CancellationToken cancellationToken)
    {
        var stderr = console.Error;
        var output = console.FullPathOrNull(settings.Output);
        var writeBaseline = console.FullPathOrNull(settings.WriteBaseline);
        ReportOutput.RequireWritableFolder(output, settings.Output, "--output");
        var sarif = console.FullPathOrNull(settings.Sarif);
        ReportOutput.RequireWritableFolder(sarif, settings.Sarif, "--sarif");
        ReportOutput.RequireWritableFolder(writeBaseline, settings.WriteBaseline, "--write-baseline");
        var hosts = PostHogConnection.ParseHosts(settings.Hosts, settings.IngestionHosts);
        var config = LoadConfig(settings);
        var baseline = LoadBaseline(settings, config);
        var result = await ScanAsync(settings, config, cancellationToken);
        foreach (var warning in result.Warnings)
        {
            await stderr.WriteLineAsync($"hogguard: warning: {HogGuard.Keys.SecretRedaction.Redact(warning)}");
        }

        if (writeBaseline is not null)
        {
            Baseline.Write(writeBaseline, result.Findings);
            await stderr.WriteLineAsync($"hogguard: wrote a baseline of {result.Findings.Count} finding(s) to {settings.WriteBaseline}");
            return ExitCodes.Clean;
        }

        if (baseline is not null)
        {
            result = SecretScanner.ApplyBaseline(result, baseline);
        }

        if (settings.Verify)
        {
            var live = new LiveCheck(console);
            result = result.WithFindings(await live.RunAsync(settings, hosts, result.Findings, config.AuditLog.Directory, cancellationToken), 0);
        }

        var summary = new ReportSummary(result, settings.FailOn) { Live = settings.FailOnLive };
        new ReportOutput(console).Write(settings.Format, output, summary);
        if (sarif is not null)
        {
            new ReportOutput(console).Write("sarif", sarif, summary);
        }
        if (result.Statistics.ShallowCommits is { } commits && settings.FailOnShallow)
        {
            await stderr.WriteLineAsync($"hogguard: --fail-on-shallow: this is a shallow clone with {commits:N0} commit(s), so the history scan is incomplete; run 'git fetch --unshallow' (actions/checkout: fetch-depth: 0), or scan the pull request alone with --range BASE..HEAD");
            return ExitCodes.UsageError;
        }

        if (result.Statistics.MissingObjects > 0 && !result.Statistics.PartialClone && !settings.AllowMissingObjects)
        {
            await stderr.WriteLineAsync($"hogguard: {result.Statistics.MissingObjects} object(s) of the history could not be read, so the scan is incomplete (a secret may sit in them); repair the repository ('git fsck'), or pass --allow-missing-objects to accept that");
            return ExitCodes.UsageError;
        }

        if (result.Statistics.Unreadable > 0 && !settings.SkipUnreadable)
        {
            // "No secrets found" is not true of what could not be read.
            await stderr.WriteLineAsync($"hogguard: {result.Statistics.Unreadable} file(s) or folder(s) could not be read (see the warnings), so the scan is incomplete; fix their permissions, or pass --skip-unreadable to accept that");
            return ExitCodes.UsageError;
        }

        return summary.Failed ? ExitCodes.Findings : ExitCodes.Clean;
    }

    private async Task<ScanResult> ScanAsync(ScanSettings settings, HogGuardConfig config, CancellationToken cancellationToken)
    {
        if (settings.Path == "-")
        {
            using var stdin = console.OpenInput();
            return SecretScanner.ScanStream(stdin, new ScanOptions { Config = config, Archives = Archives(settings) });
        }

        var progress = new LatestStatistics();
        var options = new ScanOptions
        {
            Mode = settings.History ? ScanMode.History : settings.Staged ? ScanMode.Staged : ScanMode.WorkingTree,
            Path = console.FullPath(settings.Path),
            NoGit = settings.NoGit,
            Config = config,
            Progress = progress,
            Parallelism = settings.Threads,
            Range = settings.Range,
            AllCommits = settings.AllCommits,
            Unreachable = settings.Unreachable,
            Archives = Archives(settings),
            ReadBlobsWithGit = string.Equals(console.GetEnvironmentVariable(HistoryReaderVariable), "git", StringComparison.OrdinalIgnoreCase),
        };
        var scan = SecretScanner.ScanAsync(options, cancellationToken);
        if (!settings.Staged && !settings.NoProgress && !console.IsErrorRedirected)
        {
            await ProgressDisplay.ShowAsync(scan, progress, console.Error, settings.History);
        }

        return await scan;
    }

    /// <summary>--baseline, else scan.baseline of the configuration (which must exist: a typo must not show every old finding as new), unless --no-baseline.</summary>
    private Baseline? LoadBaseline(ScanSettings settings, HogGuardConfig config)
    {
        if (settings.Baseline is { } named)
        {
            return Baseline.Load(console.FullPath(named), named);
        }

        if (settings.NoBaseline || settings.WriteBaseline is not null || config.BaselinePath is not { } configured)
        {
            return null;
        }

        if (!File.Exists(configured))
        {
            throw new UsageException($"scan.baseline in {config.SourcePath} names {configured}, which does not exist; write it with 'hogguard scan --write-baseline {configured}', or remove the setting");
        }

        return Baseline.Load(configured);
    }

    /// <summary>Set to <c>git</c> to read history blobs through <c>git cat-file</c> rather than HogGuard's own pack reader.</summary>
    internal const string HistoryReaderVariable = "HOGGUARD_HISTORY_READER";

    /// <summary>The archive limits --no-archives and --archive-max-size ask for.</summary>
    private static ArchiveLimits? Archives(ScanSettings settings)
    {
        if (settings.NoArchives)
        {
            return null;
        }

        if (settings.ArchiveMaxSize is null)
        {
            return ArchiveLimits.Default;
        }

        if (!HogGuardConfig.TryParseSize(settings.ArchiveMaxSize, out var size))
        {
            throw new UsageException($"--archive-max-size '{settings.ArchiveMaxSize}' is not a size; use a number of bytes or a size such as 64MB or 1GB");
        }

        return ArchiveLimits.Default with { MaxBytes = size };
    }

    private HogGuardConfig LoadConfig(ScanSettings settings)
    {
        var file = HogGuardConfig.Locate(settings.Config, settings.Path == "-" ? "." : settings.Path, console.WorkingDirectory);
        var config = file is null ? HogGuardConfig.Default : HogGuardConfig.Load(file);
        if (settings.MaxFileSize is not null)
        {
            if (!HogGuardConfig.TryParseSize(settings.MaxFileSize, out var size))
            {
                throw new UsageException($"--max-file-size '{settings.MaxFileSize}' is not a size; use a number of bytes or a size such as 512KB, 100MB or 1GB");
            }

            config = config with { MaxFileSize = size };
        }

        return config;
    }

    /// <summary>Keeps the statistics object a running scan reports, for the progress display to poll.</summary>
    internal sealed class LatestStatistics : IProgress<ScanStatistics>
    {
        public ScanStatistics? Current { get; private set; }

        public void Report(ScanStatistics value) => Current = value;
    }
}
