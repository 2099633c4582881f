using System.CommandLine;
using HogGuard.Checklist;
using HogGuard.Configuration;
using HogGuard.IO;

namespace HogGuard.Cli;

/// <summary><c>hogguard check [PATH]</c>: the PostHog security checklist, thin over <see cref="SecurityChecklist"/>.</summary>
internal static class CheckCommand
{
    public static Command Create()
    {
        var path = new Argument<string>("PATH") { Description = "Repository to check (default: the current folder).", DefaultValueFactory = _ => "." };
        var config = new Option<string?>("--config", "-c") { HelpName = "FILE", Description = "Configuration (default: hogguard.yml in PATH, if present)." };
        var verify = new Option<bool>("--verify") { Description = "Also ask PostHog about the live keys (scopes, age), as keys audit does." };
        var probe = new Option<string?>("--probe") { HelpName = "URL", Description = "Send an unsigned and a wrongly signed delivery to this webhook endpoint; both must get 401." };
        var host = new Option<string[]>("--host") { HelpName = "URL", Description = "PostHog host(s) for --verify (default posthog.hosts, else US then EU)." };
        var format = new Option<string>("--format", "-f") { Description = "Report format.", DefaultValueFactory = _ => "text" };
        format.AcceptOnlyFromAmong(ChecklistReport.Formats);
        var output = new Option<string?>("--output", "-o") { HelpName = "FILE", Description = "Write the report to FILE instead of standard output." };
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Show stack traces on errors." };
        var ingestion = PostHogConnection.IngestionOption();
        var trust = PostHogConnection.TrustConfigOption();
        var command = new Command("check", "Run the PostHog security checklist on a repository and the environments in its hogguard.yml: each item PASS, FAIL, WARN or SKIP with evidence and the fix. Exit 1 when any item fails.")
        {
            path, config, verify, probe, host, ingestion, trust, format, output, verbose,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            try
            {
                var root = result.GetValue(path)!;
                if (!Directory.Exists(root))
                {
                    throw new UsageException($"{root} is not a folder; pass the repository to check");
                }

                ReportOutput.RequireWritableFolder(result.GetValue(output), "--output");
                var configPath = result.GetValue(config) ?? Path.Combine(root, HogGuardConfig.FileName);
                if (result.GetValue(config) is { } explicitPath && !File.Exists(explicitPath))
                {
                    throw new UsageException($"{explicitPath} does not exist; pass an existing --config FILE");
                }

                var loaded = File.Exists(configPath) ? HogGuardConfig.Load(configPath) : null;
                Uri? probeUri = null;
                if (result.GetValue(probe) is { } probeText && (!Uri.TryCreate(probeText, UriKind.Absolute, out probeUri) || probeUri.Scheme is not ("http" or "https")))
                {
                    throw new UsageException($"--probe '{probeText}' is not an http(s) URL; pass the webhook endpoint, e.g. http://127.0.0.1:5000/webhooks/posthog");
                }

                using var http = PostHogConnection.CreateHttpClient();
                var items = await new SecurityChecklist(http).RunAsync(
                    new ChecklistOptions { Path = root, Config = loaded, Verify = result.GetValue(verify), Probe = probeUri, Hosts = PostHogConnection.KeyHosts(PostHogConnection.ParseHosts(result.GetValue(host) ?? [], result.GetValue(ingestion)), loaded?.Hosts ?? [], result.GetValue(trust), configPath) },
                    cancellationToken);
                var subject = Path.GetFileName(Path.GetFullPath(root).TrimEnd(Path.DirectorySeparatorChar)) + (loaded is null ? " (no hogguard.yml)" : string.Empty);
                var report = ChecklistReport.Render(result.GetValue(format)!, items, subject);
                if (result.GetValue(output) is { } file)
                {
                    AtomicFile.WriteOutput(file, s => s.Write(System.Text.Encoding.UTF8.GetBytes(report)));
                }
                else
                {
                    Console.Out.Write(report);
                }

                return ChecklistReport.Failed(items) ? ExitCodes.Findings : ExitCodes.Clean;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                await Console.Error.WriteLineAsync("hogguard: check cancelled; no report was written");
                return ExitCodes.UsageError;
            }
            catch (Exception e)
            {
                return CliError.Report(e, Console.Error, result.GetValue(verbose));
            }
        });
        return command;
    }
}
