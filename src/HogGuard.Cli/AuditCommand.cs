using System.CommandLine;
using System.Globalization;
using HogGuard.Audit;
using HogGuard.IO;
using HogGuard.Configuration;
using HogGuard.Policy;

namespace HogGuard.Cli;

/// <summary><c>hogguard audit</c>: verify, append, tail and stats over an audit log directory.</summary>
internal sealed class AuditCommand(CliConsole console)
{
    public Command Create() =>
        new("audit", "The tamper-evident audit log.") { VerifyCommand(), AppendCommand(), TailCommand(), StatsCommand(), ShipCommand() };

    private Command ShipCommand()
    {
        var dir = Dir();
        var host = new Option<string?>("--host") { HelpName = "URL", Description = "PostHog app host, e.g. https://eu.posthog.com; capture goes to its ingestion host (default: audit.host in hogguard.yml)." };
        var ingestion = new Option<string?>("--ingestion-host") { HelpName = "URL", Description = "Where capture lives (default: audit.ingestion_host, else derived from the host: us.i.posthog.com for us.posthog.com, the same host for any other)." };
        var config = CommonOptions.Config("Configuration with an audit section (host, project_token, event).");
        var token = new Option<string?>("--project-token") { HelpName = "phc_...", Description = "The project token (public by design); default: audit.project_token in hogguard.yml, else POSTHOG_PROJECT_TOKEN." };
        var eventName = new Option<string?>("--event") { Description = "Event name for audit entries (default: audit.event, else hogguard_audit_entry)." };
        var command = new Command("ship", "Send entries not yet confirmed by PostHog (from the durable cursor) to /batch/; safe to repeat.") { dir, host, ingestion, token, eventName, config };
        command.SetRun(console, "shipping interrupted; the cursor stays at the last entry PostHog confirmed, run again to resume", async (result, cancellationToken) =>
        {
            var directory = RequireDirectory(result.GetValue(dir)!);
            var configPath = HogGuardConfig.Locate(result.GetValue(config), console.WorkingDirectory, console.WorkingDirectory);
            var settings = configPath is null ? AuditLogSettings.Default : HogGuardConfig.Load(configPath).AuditLog;
            var hostText = result.GetValue(host) ?? settings.ShipHost
                ?? throw new UsageException("no host: pass --host URL or set audit.host in hogguard.yml");
            var ingestionText = result.GetValue(ingestion) ?? (result.GetValue(host) is null ? settings.ShipIngestionHost : null);
            var hosts = PostHogConnection.ParseHosts([hostText], ingestionText is null ? null : [ingestionText]);
            var projectToken = result.GetValue(token) ?? settings.ShipProjectToken ?? console.GetEnvironmentVariable("POSTHOG_PROJECT_TOKEN")
                ?? throw new UsageException("no project token: pass --project-token phc_..., set audit.project_token in hogguard.yml, or POSTHOG_PROJECT_TOKEN");
            using var http = PostHogConnection.CreateHttpClient();
            var shipper = new AuditShipper(directory, new PostHogApi.PostHogClient(http), hosts[0].Ingestion, projectToken, result.GetValue(eventName) ?? settings.ShipEvent ?? "hogguard_audit_entry");
            var (shipped, failure) = await shipper.ShipOnceAsync(cancellationToken);
            await console.Out.WriteLineAsync($"shipped {shipped} entries; {shipper.Lag} waiting; cursor at {shipper.Cursor}");
            if (failure is not null)
            {
                throw new UsageException($"shipping stopped: {failure.Detail ?? failure.Outcome.ToString()}; the cursor stays at {shipper.Cursor}, run again to resume");
            }

            if (shipper.LastRefused.Count > 0)
            {
                await console.Error.WriteLineAsync($"hogguard: PostHog's capture refused {shipper.LastRefused.Count} entr{(shipper.LastRefused.Count == 1 ? "y" : "ies")} (sequence {string.Join(", ", shipper.LastRefused)}); they stay in the local log and are listed with the reason in {Path.Combine(directory, AuditShipper.RefusedFile)}");
                return ExitCodes.Findings;
            }

            return ExitCodes.Clean;
        });
        return command;
    }

    private static Argument<string> Dir() => new("DIR") { Description = "The audit log directory." };

    private static Option<string?> KeyFile() => new("--key-file") { HelpName = "FILE", Description = "File holding the checkpoint HMAC key (its bytes, trimmed)." };

    private Command VerifyCommand()
    {
        var dir = Dir();
        var key = KeyFile();
        var against = new Option<bool>("--against-posthog") { Description = "Also compare the log with the copy shipped to PostHog, through its query API (a personal key with query:read in POSTHOG_PERSONAL_API_KEY or audit.query_key)." };
        var host = new Option<string?>("--host") { HelpName = "URL", Description = "With --against-posthog: the PostHog app host (default: audit.host in hogguard.yml)." };
        var project = new Option<int?>("--project") { HelpName = "ID", Description = "With --against-posthog: the project the entries ship to (default: audit.project_id)." };
        var eventName = new Option<string?>("--event") { Description = "With --against-posthog: the audit event name (default: audit.event, else hogguard_audit_entry)." };
        var config = CommonOptions.Config("Configuration with an audit section (host, project_id, query_key, event).");
        var command = new Command("verify", "Check the chain, sequence and checkpoints, and with --against-posthog the copy in PostHog. Exit 0 intact, 1 tampered or different, 2 bad usage.") { dir, key, against, host, project, eventName, config };
        command.Validators.Add(r =>
        {
            if (!r.Value(against) && (r.Value(host) is not null || r.Value(project) is not null || r.Value(eventName) is not null))
            {
                r.AddError("--host, --project and --event are for --against-posthog; add it");
            }
        });
        command.SetRun(console, "verification interrupted; nothing was changed", async (result, cancellationToken) =>
        {
            var directory = RequireDirectory(result.GetValue(dir)!);
            var verification = AuditVerifier.Verify(directory, ReadKey(result.GetValue(key)));
            foreach (var torn in verification.TornFiles)
            {
                await console.Error.WriteLineAsync($"hogguard: note: {torn} holds a line torn by a crash, set aside when the log was reopened");
            }

            var exit = ExitCodes.Clean;
            if (verification.IsIntact)
            {
                await console.Out.WriteLineAsync($"ok: {verification.Detail}");
            }
            else
            {
                var at = verification.FirstBadSequence is { } n ? $" at sequence {n}" : string.Empty;
                await console.Out.WriteLineAsync($"tampered: {verification.Problem.ToString().ToLowerInvariant()}{at}: {verification.Detail}");
                exit = ExitCodes.Findings;
            }

            if (result.GetValue(against))
            {
                var comparison = await CompareWithPostHogAsync(directory, result.GetValue(host), result.GetValue(project), result.GetValue(eventName), result.GetValue(config), cancellationToken);
                foreach (var line in Describe(comparison))
                {
                    await console.Out.WriteLineAsync(line);
                }

                exit = comparison.Matches ? exit : ExitCodes.Findings;
            }

            return exit;
        });
        return command;
    }

    private async Task<AuditComparison> CompareWithPostHogAsync(string directory, string? hostOption, int? projectOption, string? eventOption, string? configOption, CancellationToken cancellationToken)
    {
        var configPath = HogGuardConfig.Locate(configOption, console.WorkingDirectory, console.WorkingDirectory);
        var settings = configPath is null ? AuditLogSettings.Default : HogGuardConfig.Load(configPath).AuditLog;
        var hostText = hostOption ?? settings.ShipHost ?? throw new UsageException("no host: pass --host URL or set audit.host in hogguard.yml");
        var host = PostHogConnection.ParseHosts([hostText])[0].App;
        var projectId = projectOption ?? settings.ProjectId ?? throw new UsageException("no project: pass --project ID or set audit.project_id in hogguard.yml (Project settings in PostHog shows the id)");
        string? value;
        if (settings.QueryKey is { } source)
        {
            (value, var problem) = new KeySourceReader(Path.GetDirectoryName(configPath)!, console.GetEnvironmentVariable).Read(source);
            if (value is null)
            {
                throw new UsageException($"the query key cannot be read from {source} (audit.query_key): {problem}");
            }
        }
        else
        {
            value = console.GetEnvironmentVariable("POSTHOG_PERSONAL_API_KEY")
                ?? throw new UsageException("no personal API key: set POSTHOG_PERSONAL_API_KEY, or audit.query_key in hogguard.yml (e.g. env:NAME), to a personal key with the query:read scope");
        }

        using var http = PostHogConnection.CreateHttpClient();
        var eventName = eventOption ?? settings.ShipEvent ?? "hogguard_audit_entry";
        var fetched = await AuditRemoteCheck.FetchAsync(new PostHogApi.PostHogClient(http), host, projectId, new Keys.PostHogSecret(value.Trim()), eventName, cancellationToken);
        if (!fetched.IsOk)
        {
            var why = fetched.Outcome switch
            {
                PostHogApi.ApiOutcome.InvalidKey => "PostHog refused the personal key (revoked, rolled or mistyped)",
                PostHogApi.ApiOutcome.MissingScope => $"the personal key lacks {fetched.MissingScope ?? "query:read"}; add that scope to it in PostHog",
                PostHogApi.ApiOutcome.NoProjectAccess => $"the personal key is not allowed on project {projectId}; allow it there, or check --project",
                PostHogApi.ApiOutcome.NotFound => $"PostHog has no project {projectId} at {PostHogApi.PostHogHosts.Name(host)}; check --project and --host",
                PostHogApi.ApiOutcome.Unreachable => $"{PostHogApi.PostHogHosts.Name(host)} could not be reached ({fetched.Detail})",
                _ => $"PostHog answered {(fetched.Status is { } s ? s.ToString(System.Globalization.CultureInfo.InvariantCulture) : "nothing usable")}: {fetched.Detail}",
            };
            throw new UsageException($"could not read the audit events from PostHog: {why}");
        }

        return AuditRemoteCheck.Compare(directory, fetched.Value!);
    }

    private static IEnumerable<string> Describe(AuditComparison comparison)
    {
        if (comparison.Matches)
        {
            yield return $"matches PostHog: {comparison.RemoteEntries} entries in PostHog, each as written here; {comparison.LocalEntries} entries here, shipped up to sequence {comparison.Cursor}";
            yield break;
        }

        if (comparison.MissingLocally.Count > 0)
        {
            yield return $"deleted here: sequence {Sequences(comparison.MissingLocally)}: in PostHog, no longer in the local log (removed, or the log cut short)";
        }

        if (comparison.Differ.Count > 0)
        {
            yield return $"edited here: sequence {Sequences(comparison.Differ)}: PostHog holds another uuid or hash (the entry was changed or re-chained after it shipped)";
        }

        if (comparison.NeverReceived.Count > 0)
        {
            yield return $"never received: sequence {Sequences(comparison.NeverReceived)}: the ship cursor says PostHog confirmed it, PostHog does not have it";
        }
    }

    private static string Sequences(IReadOnlyList<long> sequences) =>
        sequences.Count <= 20 ? string.Join(", ", sequences) : $"{string.Join(", ", sequences.Take(20))} and {sequences.Count - 20} more";

    private Command AppendCommand()
    {
        var dir = Dir();
        var key = KeyFile();
        var segment = new Option<long?>("--max-segment-bytes") { HelpName = "BYTES", Description = "Roll segments at this size (default 64 MiB)." };
        var command = new Command(
            "append",
            "Append entries read as JSON lines on standard input ({\"action\",\"user_id\",\"resource\",\"result\",\"metadata\",\"timestamp\"}); prints each sequence number once durable.")
        {
            dir, key, segment,
        };
        command.SetRun(console, "append interrupted; every sequence number printed is durable", async (result, cancellationToken) =>
        {
            var options = new AuditLogOptions
            {
                Directory = console.FullPath(result.GetValue(dir)!),
                CheckpointKey = ReadKey(result.GetValue(key)),
                MaxSegmentBytes = result.GetValue(segment) ?? 64L * 1024 * 1024,
            };
            await using var log = new FileAuditLog(options);
            if (log.SetAside is { } torn)
            {
                await console.Error.WriteLineAsync($"hogguard: note: a line torn by an earlier crash was set aside in {torn}");
            }

            var number = 0;
            // Console.In reads synchronously whatever the method's name: read on the pool and stop
            // waiting on Ctrl-C (the abandoned read ends with the process).
            while (await Task.Run(console.In.ReadLine, CancellationToken.None).WaitAsync(cancellationToken) is { } line)
            {
                number++;
                if (line.Trim().Length == 0)
                {
                    continue;
                }

                AuditEntry entry;
                try
                {
                    entry = AuditEntry.FromJson(line, TimeProvider.System);
                }
                catch (FormatException e)
                {
                    throw new UsageException($"standard input line {number}: {e.Message}");
                }

                if (entry.CaptureProblem is { } problem)
                {
                    throw new UsageException($"line {number}: {problem}; nothing from this line on was written");
                }

                var stored = await log.WriteAsync(entry, cancellationToken);
                await console.Out.WriteLineAsync(stored.Sequence.ToString(CultureInfo.InvariantCulture));
                await console.Out.FlushAsync(cancellationToken);
            }

            return ExitCodes.Clean;
        });
        return command;
    }

    private Command TailCommand()
    {
        var dir = Dir();
        var count = new Option<int>("-n") { Description = "How many entries (default 10).", DefaultValueFactory = _ => 10 };
        var follow = new Option<bool>("--follow") { Description = "Keep printing new entries as they are written (Ctrl-C stops)." };
        var command = new Command("tail", "Print the newest entries as stored.") { dir, count, follow };
        command.SetRun(console, "tail stopped", async (result, cancellationToken) =>
        {
            var directory = RequireDirectory(result.GetValue(dir)!);
            foreach (var line in AuditReader.Tail(directory, result.GetValue(count)))
            {
                await console.Out.WriteLineAsync(line);
            }

            var last = AuditReader.Stats(directory).Entries;
            while (result.GetValue(follow) && !cancellationToken.IsCancellationRequested)
            {
                await console.Out.FlushAsync(cancellationToken);
                try
                {
                    await Task.Delay(250, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    break;
                }

                var (lines, newest) = AuditReader.ReadAfter(directory, last);
                foreach (var line in lines)
                {
                    await console.Out.WriteLineAsync(line);
                }

                last = newest;
            }

            return ExitCodes.Clean;
        });
        return command;
    }

    private Command StatsCommand()
    {
        var dir = Dir();
        var format = CliJson.TextOrJson();
        var command = new Command("stats", "Entries, segments, size and time span of the log.") { dir, format };
        command.SetRun(console, result =>
        {
            var stats = AuditReader.Stats(RequireDirectory(result.GetValue(dir)!));
            if (result.GetValue(format) == "json")
            {
                CliJson.Write(console.Out, w =>
                {
                    w.WriteStartObject();
                    w.WriteNumber("entries", stats.Entries);
                    w.WriteNumber("segments", stats.Segments);
                    w.WriteNumber("bytes", stats.Bytes);
                    if (stats.LastEntry is { } last)
                    {
                        w.WriteString("last_entry", last);
                    }
                    else
                    {
                        w.WriteNull("last_entry");
                    }

                    w.WriteEndObject();
                });
                return ExitCodes.Clean;
            }

            console.Out.WriteLine($"entries: {stats.Entries}");
            console.Out.WriteLine($"segments: {stats.Segments}");
            console.Out.WriteLine($"bytes: {stats.Bytes}");
            console.Out.WriteLine($"last entry: {stats.LastEntry?.ToString("O", CultureInfo.InvariantCulture) ?? "-"}");
            return ExitCodes.Clean;
        });
        return command;
    }

    private string RequireDirectory(string directory) =>
        Directory.Exists(console.FullPath(directory)) ? console.FullPath(directory) : throw new UsageException($"{directory} is not a directory; pass the audit log directory");

    private byte[]? ReadKey(string? path)
    {
        if (path is null)
        {
            return null;
        }

        try
        {
            var key = System.Text.Encoding.UTF8.GetBytes(RegularFile.ReadAllText(console.FullPath(path), 64 * 1024).Trim());
            return key.Length > 0 ? key : throw new UsageException($"{path} is empty; a checkpoint key needs at least one byte");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"cannot read the key from {path}: {e.Message}");
        }
    }
}
