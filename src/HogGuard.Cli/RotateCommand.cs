using System.CommandLine;
using System.Globalization;
using System.Text;
using HogGuard.Configuration;
using HogGuard.Keys;
using HogGuard.Policy;
using HogGuard.PostHogApi;
using HogGuard.Rotation;
using HogGuard.SecretStores;

namespace HogGuard.Cli;

/// <summary><c>hogguard keys rotate</c> and <c>hogguard keys rotations</c>, thin over <see cref="KeyRotator"/>.</summary>
internal sealed class RotateCommand(CliConsole console)
{
    /// <summary>Names a step (see the README) at which the process kills itself right after journaling it: fault injection for tests.</summary>
    public const string FaultVariable = "HOGGUARD_FAULT_AT";

    /// <summary>How the library's rotation messages name the ways on: this command's flags.</summary>
    private static readonly RotationWords CliWords = new(id => $"--resume {id}", id => $"--abort {id}", "--wait");

    public Command CreateRotate()
    {
        var config = CommonOptions.Config("Configuration naming the environments and their keys.");
        var env = new Option<string?>("--env", "-e") { HelpName = "ENV", Description = "The environment in hogguard.yml." };
        var key = new Option<string?>("--key", "-k") { HelpName = "NAME", Description = "The key's name in that environment." };
        var resume = new Option<string?>("--resume") { HelpName = "ID", Description = "Continue an interrupted rotation from its journal." };
        var abort = new Option<string?>("--abort") { HelpName = "ID", Description = "Roll an unfinished rotation back to the old key while PostHog still accepts it." };
        var host = new Option<string?>("--host") { HelpName = "URL", Description = "PostHog app host (default: the first of posthog.hosts, else US)." };
        var ingestion = new Option<string?>("--ingestion-host") { HelpName = "URL", Description = "Where flags are checked (default: derived from --host for PostHog Cloud, else the same host)." };
        var trust = CommonOptions.TrustConfig();
        var wait = new Option<bool>("--wait") { Description = "Personal keys: poll until the old key is deleted in PostHog (at most --wait-timeout)." };
        var waitTimeout = new Option<int>("--wait-timeout") { HelpName = "SECONDS", Description = "How long --wait polls.", DefaultValueFactory = _ => 900 };
        var poll = new Option<int>("--poll-interval") { HelpName = "SECONDS", Description = "Seconds between --wait polls.", DefaultValueFactory = _ => 5 };
        var grace = new Option<int>("--grace") { HelpName = "SECONDS", Description = "Seconds the new key is current before the old one is deleted, so running services reload it.", DefaultValueFactory = _ => 0 };
        var yes = new Option<bool>("--yes", "-y") { Description = "Answer yes to confirmations (e.g. that an environment variable is deployed)." };
        var command = new Command("rotate", "Rotate one key named in hogguard.yml without ever leaving its store without a working key. Exit 0 done or rolled back, 1 waiting for a person (resume later), 2 stopped, with one line saying why and what to do.")
        {
            config, env, key, resume, abort, host, ingestion, trust, wait, waitTimeout, poll, grace, yes,
        };
        command.Validators.Add(r =>
        {
            if (r.Value(resume) is not null && r.Value(abort) is not null)
            {
                r.AddError("--resume and --abort cannot be used together; pick one");
            }
        });
        grace.Validators.Add(r =>
        {
            if (r.Value<int>() is < 0 or > 86_400)
            {
                r.AddError("--grace must be a whole number of seconds from 0 to 86400");
            }
        });
        foreach (var seconds in new[] { poll, waitTimeout })
        {
            seconds.Validators.Add(r =>
            {
                if (r.Value<int>() <= 0)
                {
                    r.AddError("--poll-interval and --wait-timeout must be whole numbers of seconds above 0");
                }
            });
        }

        command.SetRun(console, "rotation interrupted; its journal says where it stopped ('hogguard keys rotations'), continue with --resume ID", (result, cancellationToken) => RunAsync(
            new Request(
                result.GetValue(config), result.GetValue(env), result.GetValue(key), result.GetValue(resume), result.GetValue(abort), result.GetValue(host), result.GetValue(ingestion),
                result.GetValue(wait) ? TimeSpan.FromSeconds(result.GetValue(waitTimeout)) : null, TimeSpan.FromSeconds(result.GetValue(poll)), result.GetValue(yes), result.GetValue(trust), TimeSpan.FromSeconds(result.GetValue(grace))),
            cancellationToken));
        return command;
    }

    public Command CreateList()
    {
        var config = CommonOptions.Config("Configuration naming the environments and their keys.");
        var format = CliJson.TextOrJson();
        var command = new Command("rotations", "List the rotations journaled beside hogguard.yml with their states.") { config, format };
        command.SetRun(console, result =>
        {
            var file = HogGuardConfig.Locate(result.GetValue(config), console.WorkingDirectory, console.WorkingDirectory)
                ?? Path.Combine(console.WorkingDirectory, HogGuardConfig.FileName);
            var journals = RotationJournalStore.Beside(file).List();
            if (result.GetValue(format) == "json")
            {
                CliJson.Write(console.Out, w =>
                {
                    w.WriteStartObject();
                    w.WriteStartArray("rotations");
                    foreach (var j in journals)
                    {
                        w.WriteStartObject();
                        w.WriteString("id", j.Id);
                        w.WriteString("environment", j.Environment);
                        w.WriteString("key", j.Key);
                        w.WriteString("state", KeyRotator.Name(j.State));
                        w.WriteBoolean("finished", j.IsFinished);
                        w.WriteString("old_mask", j.OldMask);
                        w.WriteString("old_fingerprint", j.OldFingerprint);
                        w.WriteString("new_mask", j.NewMask);
                        w.WriteString("new_fingerprint", j.NewFingerprint);
                        if (j.History.Count > 0)
                        {
                            w.WriteString("updated_at", j.History[^1].At);
                        }
                        else
                        {
                            w.WriteNull("updated_at");
                        }

                        w.WriteString("problem", j.Problem);
                        w.WriteEndObject();
                    }

                    w.WriteEndArray();
                    w.WriteEndObject();
                });
                return ExitCodes.Clean;
            }

            if (journals.Count == 0)
            {
                console.Out.WriteLine("No rotations.");
                return ExitCodes.Clean;
            }

            foreach (var j in journals)
            {
                var at = j.History.Count > 0 ? j.History[^1].At.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture) : "-";
                console.Out.WriteLine($"{j.Id}  {j.Environment}/{j.Key}  {KeyRotator.Name(j.State),-9}  {at}  {j.OldMask} -> {j.NewMask ?? "(none yet)"}{(j.Problem is { } p && !j.IsFinished ? "  " + p : string.Empty)}");
            }

            return ExitCodes.Clean;
        });
        return command;
    }

    private sealed record Request(string? ConfigPath, string? Environment, string? Key, string? Resume, string? Abort, string? Host, string? IngestionHost, TimeSpan? Wait, TimeSpan Poll, bool Yes, bool TrustConfig, TimeSpan Grace);

    private async Task<int> RunAsync(Request request, CancellationToken cancellationToken)
    {
        var configFile = HogGuardConfig.Locate(request.ConfigPath, console.WorkingDirectory, console.WorkingDirectory)
            ?? throw new UsageException($"{HogGuardConfig.FileName} does not exist in {console.WorkingDirectory}; keys rotate rotates keys described in hogguard.yml (see the README), or pass --config FILE");
        var configPath = request.ConfigPath ?? HogGuardConfig.FileName;

        var config = HogGuardConfig.Load(configFile);
        var journals = RotationJournalStore.Beside(configFile);
        var existing = request.Resume ?? request.Abort;
        RotationJournal? journal = existing is null ? null : journals.Load(existing);
        var (envName, keyName) = journal is null
            ? (request.Environment ?? throw new UsageException("keys rotate needs --env ENV and --key NAME (or --resume ID / --abort ID)"),
               request.Key ?? throw new UsageException("keys rotate needs --key NAME: the key's name under its environment in hogguard.yml"))
            : (journal.Environment, journal.Key);
        var policy = config.FindKey(envName, keyName, configPath);

        var baseDirectory = Path.GetDirectoryName(configFile)!;
        var store = SecretStoreFactory.For(policy.Source, baseDirectory, console.GetEnvironmentVariable);
        var outside = SecretStoreFactory.OutsideOf(policy.Source, baseDirectory);
        if (outside is not null && !config.AllowStoresOutside)
        {
            throw new UsageException($"{policy.Source} is written at {outside}, outside {baseDirectory} (the folder of hogguard.yml); a rotation writes there only with 'rotation: {{ allow_outside: true }}' in hogguard.yml");
        }

        if (outside is not null)
        {
            await console.Error.WriteLineAsync($"hogguard: note: this rotation writes {outside}, outside {baseDirectory} (rotation.allow_outside is true)");
        }

        if (journal is not null && journal.Source != store.Description)
        {
            throw new UsageException($"rotation {journal.Id} ran against {journal.Source} but hogguard.yml now says {store.Description}; put the source back to finish or abort it");
        }

        var hosts = request.Host is null
            ? (request.IngestionHost is null ? PostHogConnection.KeyHosts([], config.Hosts, request.TrustConfig, configPath, console.GetEnvironmentVariable) : throw new UsageException("--ingestion-host needs the --host it belongs to; pass both"))
            : PostHogConnection.ParseHosts([request.Host], request.IngestionHost is null ? null : [request.IngestionHost]);
        var host = hosts.Count > 0 ? hosts[0] : PostHogHosts.Default[0];
        PostHogSecret? rotator = null;
        if (config.Rotator is { } rotatorSource)
        {
            var (value, problem) = new KeySourceReader(baseDirectory, console.GetEnvironmentVariable).Read(rotatorSource);
            rotator = value is null ? throw new UsageException($"the rotator key cannot be read: {problem}") : new PostHogSecret(value);
        }

        using var http = PostHogConnection.CreateHttpClient();
        await using var audit = config.AuditLog.Directory is { } dir ? new Audit.FileAuditLog(new Audit.AuditLogOptions { Directory = dir }) : null;
        var fault = console.GetEnvironmentVariable(FaultVariable);
        var context = new RotationContext(new PostHogClient(http), host, store, policy, journals, new ConsolePrompt(console, request.Yes))
        {
            Rotator = rotator,
            Audit = audit,
            WaitForDeletion = request.Wait,
            Words = CliWords,
            PollInterval = request.Poll,
            Grace = request.Grace,
            FaultPoint = point =>
            {
                if (string.Equals(fault, point, StringComparison.Ordinal))
                {
                    console.Error.WriteLine($"hogguard: {FaultVariable}={fault}: killing this process now");
                    console.Error.Flush();
                    System.Diagnostics.Process.GetCurrentProcess().Kill();
                }
            },
        };
        var keyRotator = new KeyRotator(context);
        var outcome = request.Abort is not null ? await keyRotator.AbortAsync(journal!, cancellationToken)
            : journal is not null ? await keyRotator.RunAsync(journal, cancellationToken)
            : await keyRotator.StartAsync(cancellationToken);
        switch (outcome.State)
        {
            case RotationState.Done:
                console.Out.WriteLine($"Rotated {envName}/{keyName}: {outcome.OldMask} -> {outcome.NewMask} ({outcome.Id}); the old key is revoked.");
                return ExitCodes.Clean;
            case RotationState.Aborted:
                console.Out.WriteLine($"Rolled back {envName}/{keyName} to {outcome.OldMask} ({outcome.Id}).");
                return ExitCodes.Clean;
            default:
                console.Out.WriteLine($"Rotation {outcome.Id} of {envName}/{keyName} is {KeyRotator.Name(outcome.State)}: {outcome.Problem}");
                return ExitCodes.Findings;
        }
    }

    /// <summary>Guidance on stderr; secrets read without echo from a terminal, or as a line from piped input.</summary>
    private sealed class ConsolePrompt(CliConsole console, bool yes) : IRotationPrompt
    {
        public void Say(string text) => console.Error.WriteLine(text);

        public string? ReadSecret(string question)
        {
            console.Error.Write(question);
            if (console.IsInputRedirected)
            {
                var line = console.In.ReadLine();
                console.Error.WriteLine();
                return line;
            }

            var text = new StringBuilder();
            while (true)
            {
                var key = console.ReadKey();
                if (key.Key == ConsoleKey.Enter)
                {
                    console.Error.WriteLine();
                    return text.ToString();
                }

                if (key.Key == ConsoleKey.Backspace)
                {
                    text.Length = Math.Max(0, text.Length - 1);
                }
                else if (!char.IsControl(key.KeyChar))
                {
                    text.Append(key.KeyChar);
                }
            }
        }

        public bool Confirm(string question)
        {
            if (yes)
            {
                return true;
            }

            console.Error.Write($"{question} [y/N] ");
            var answer = console.In.ReadLine();
            return answer?.Trim().ToLowerInvariant() is "y" or "yes";
        }
    }
}
