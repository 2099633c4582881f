using System.CommandLine;
using HogGuard.Configuration;
using HogGuard.PostHogApi;
using HogGuard.Policy;
using HogGuard.Reports;
using HogGuard.Sources;
using HogGuard.Liveness;

namespace HogGuard.Cli;

/// <summary><c>hogguard keys audit</c>: least privilege per environment, thin over <see cref="KeyAuditor"/>.</summary>
internal static class KeysCommand
{
    public static Command Create()
    {
        var config = new Option<string>("--config", "-c") { HelpName = "FILE", Description = "Configuration naming the environments and their keys.", DefaultValueFactory = _ => HogGuardConfig.FileName };
        var host = new Option<string[]>("--host") { HelpName = "URL", Description = "PostHog host(s) to ask (repeatable; default posthog.hosts in the configuration, else US then EU)." };
        var format = new Option<string>("--format", "-f") { Description = "Report format.", DefaultValueFactory = _ => "text" };
        format.AcceptOnlyFromAmong("text", "json", "sarif");
        var output = new Option<string?>("--output", "-o") { HelpName = "FILE", Description = "Write the report to FILE instead of standard output." };
        var failOn = new Option<string>("--fail-on") { Description = "Lowest severity that makes the audit exit 1.", DefaultValueFactory = _ => "high" };
        failOn.AcceptOnlyFromAmong("low", "medium", "high", "critical");
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Show stack traces on errors." };
        var ingestion = PostHogConnection.IngestionOption();
        var trust = PostHogConnection.TrustConfigOption();
        var audit = new Command("audit", "Check every key hogguard.yml names against its policy: kind, validity, scopes, age, use, sharing. Exit codes as for scan.")
        {
            config, host, ingestion, trust, format, output, failOn, verbose,
        };
        audit.SetAction((result, cancellationToken) =>
        {
            _ = ReportNames.TryParseSeverity(result.GetValue(failOn), out var threshold);
            return RunAsync(
                result.GetValue(config)!, PostHogConnection.ParseHosts(result.GetValue(host) ?? [], result.GetValue(ingestion)), result.GetValue(trust), result.GetValue(format)!, result.GetValue(output), threshold,
                result.GetValue(verbose), Console.Out, Console.Error, cancellationToken);
        });
        return new Command("keys", "Manage the PostHog keys your environments use.") { audit, RotateCommand.CreateRotate(), RotateCommand.CreateList() };
    }

    private static async Task<int> RunAsync(
        string configPath, IReadOnlyList<PostHogHost> hosts, bool trustConfig, string format, string? output, Detection.Severity failOn, bool verbose, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        try
        {
            ReportOutput.RequireWritableFolder(output, "--output");
            if (!File.Exists(configPath))
            {
                throw new UsageException($"{configPath} does not exist; keys audit needs the environments and keys described in hogguard.yml (see the README), or pass --config FILE");
            }

            var config = HogGuardConfig.Load(configPath);
            if (config.Keys.Count == 0)
            {
                throw new UsageException($"{configPath} names no keys; add an 'environments:' section (see the README)");
            }

            using var http = PostHogConnection.CreateHttpClient();
            var verifier = new SecretVerifier(new PostHogClient(http), PostHogConnection.KeyHosts(hosts, config.Hosts, trustConfig, configPath));
            var reader = new KeySourceReader(Path.GetDirectoryName(Path.GetFullPath(configPath))!);
            var findings = await new KeyAuditor(verifier, reader, config.KeyAudit, configPath).AuditAsync(config.Keys, cancellationToken);
            var environments = config.Keys.Select(k => k.Environment).Distinct().Count();
            var result = new ScanResult { Findings = findings, Statistics = new ScanStatistics(), Warnings = [] };
            var summary = new ReportSummary(result, failOn) { Subject = $"{config.Keys.Count} keys, {environments} environment(s)" };
            ReportOutput.Write(format, output, summary, stdout);
            return summary.Failed ? ExitCodes.Findings : ExitCodes.Clean;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await stderr.WriteLineAsync("hogguard: audit cancelled; no report was written");
            return ExitCodes.UsageError;
        }
        catch (Exception e)
        {
            return CliError.Report(e, stderr, verbose);
        }
    }
}
