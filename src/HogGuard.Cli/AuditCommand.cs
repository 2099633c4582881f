using System.CommandLine;
using System.Globalization;
using HogGuard.Audit;
using HogGuard.IO;
using HogGuard.Configuration;

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
        var command = new Command("verify", "Check the chain, sequence and checkpoints. Exit 0 intact, 1 tampered, 2 bad usage.") { dir, key };
        command.SetRun(console, result =>
        {
            var verification = AuditVerifier.Verify(RequireDirectory(result.GetValue(dir)!), ReadKey(result.GetValue(key)));
            foreach (var torn in verification.TornFiles)
            {
                console.Error.WriteLine($"hogguard: note: {torn} holds a line torn by a crash, set aside when the log was reopened");
            }

            if (verification.IsIntact)
            {
                console.Out.WriteLine($"ok: {verification.Detail}");
                return ExitCodes.Clean;
            }

            var at = verification.FirstBadSequence is { } n ? $" at sequence {n}" : string.Empty;
            console.Out.WriteLine($"tampered: {verification.Problem.ToString().ToLowerInvariant()}{at}: {verification.Detail}");
            return ExitCodes.Findings;
        });
        return command;
    }

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
