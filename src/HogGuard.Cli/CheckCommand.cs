using System.CommandLine;
using HogGuard.Checklist;
using HogGuard.Configuration;
using HogGuard.Liveness;
using HogGuard.PostHogApi;

namespace HogGuard.Cli;

/// <summary><c>hogguard check [PATH]</c>: the PostHog security checklist, thin over <see cref="SecurityChecklist"/>.</summary>
internal sealed class CheckCommand(CliConsole console)
{
    public Command Create()
    {
        var path = new Argument<string>("PATH") { Description = "Repository to check (default: the current folder).", DefaultValueFactory = _ => "." };
        var config = CommonOptions.ConfigBesidePath();
        var verify = new Option<bool>("--verify") { Description = "Also ask PostHog about the live keys (scopes, age), as keys audit does." };
        var probe = new Option<string?>("--probe") { HelpName = "URL", Description = "Send an unsigned and a wrongly signed delivery to this webhook endpoint; both must get 401." };
        var host = CommonOptions.Hosts("PostHog host(s) for --verify (default posthog.hosts, else US then EU).");
        var format = CommonOptions.Format(ChecklistReport.Formats);
        var output = CommonOptions.Output();
        var ingestion = CommonOptions.IngestionHosts();
        var trust = CommonOptions.TrustConfig();
        var command = new Command("check", "Run the PostHog security checklist on a repository and the environments in its hogguard.yml: each item PASS, FAIL, WARN or SKIP with evidence and the fix. Exit 1 when any item fails.")
        {
            path, config, verify, probe, host, ingestion, trust, format, output,
        };
        command.SetRun(console, "check cancelled; no report was written", async (result, cancellationToken) =>
        {
            var typedRoot = result.GetValue(path)!;
            var root = console.FullPath(typedRoot);
            if (!Directory.Exists(root))
            {
                throw new UsageException($"{typedRoot} is not a folder; pass the repository to check");
            }

            var outputFile = console.FullPathOrNull(result.GetValue(output));
            ReportOutput.RequireWritableFolder(outputFile, result.GetValue(output), "--output");
            var configPath = HogGuardConfig.Locate(result.GetValue(config), root, console.WorkingDirectory);
            var loaded = configPath is null ? null : HogGuardConfig.Load(configPath);
            Uri? probeUri = null;
            if (result.GetValue(probe) is { } probeText && (!Uri.TryCreate(probeText, UriKind.Absolute, out probeUri) || probeUri.Scheme is not ("http" or "https")))
            {
                throw new UsageException($"--probe '{probeText}' is not an http(s) URL; pass the webhook endpoint, e.g. http://127.0.0.1:5000/webhooks/posthog");
            }

            var hosts = PostHogConnection.KeyHosts(
                PostHogConnection.ParseHosts(result.GetValue(host) ?? [], result.GetValue(ingestion)), loaded?.Hosts ?? [], result.GetValue(trust), configPath, console.GetEnvironmentVariable);
            using var http = PostHogConnection.CreateHttpClient();
            var verifier = new SecretVerifier(new PostHogClient(http), hosts);
            var items = await new SecurityChecklist(http, verifier: verifier).RunAsync(
                new ChecklistOptions { Path = root, Config = loaded, Verify = result.GetValue(verify), Probe = probeUri, Hosts = hosts, Environment = console.GetEnvironmentVariable },
                cancellationToken);
            var subject = Path.GetFileName(root.TrimEnd(Path.DirectorySeparatorChar)) + (loaded is null ? " (no hogguard.yml)" : string.Empty);
            new ReportOutput(console).WriteText(ChecklistReport.Render(result.GetValue(format)!, items, subject), outputFile);
            return ChecklistReport.Failed(items) ? ExitCodes.Findings : ExitCodes.Clean;
        });
        return command;
    }
}
