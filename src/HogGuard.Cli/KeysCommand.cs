using System.CommandLine;
using HogGuard.Configuration;
using HogGuard.Liveness;
using HogGuard.Policy;
using HogGuard.PostHogApi;
using HogGuard.Reports;
using HogGuard.Sources;

namespace HogGuard.Cli;

/// <summary><c>hogguard keys audit</c>: least privilege per environment, thin over <see cref="KeyAuditor"/>.</summary>
internal sealed class KeysCommand(CliConsole console)
{
    public Command Create()
    {
        var config = CommonOptions.Config("Configuration naming the environments and their keys.");
        var host = CommonOptions.Hosts("PostHog host(s) to ask (repeatable; default posthog.hosts in the configuration, else US then EU).");
        var format = CommonOptions.Format("text", "json", "sarif");
        var output = CommonOptions.Output();
        var failOn = CommonOptions.FailOn("audit");
        var ingestion = CommonOptions.IngestionHosts();
        var trust = CommonOptions.TrustConfig();
        var audit = new Command("audit", "Check every key hogguard.yml names against its policy: kind, validity, scopes, age, use, sharing. Exit codes as for scan.")
        {
            config, host, ingestion, trust, format, output, failOn,
        };
        audit.SetRun(console, "audit cancelled; no report was written", (result, cancellationToken) =>
        {
            return RunAsync(
                result.GetValue(config), PostHogConnection.ParseHosts(result.GetValue(host) ?? [], result.GetValue(ingestion)), result.GetValue(trust), result.GetValue(format)!, result.GetValue(output), CommonOptions.ParseFailOn(result.GetValue(failOn)),
                cancellationToken);
        });
        var rotate = new RotateCommand(console);
        return new Command("keys", "Manage the PostHog keys your environments use.") { audit, rotate.CreateRotate(), rotate.CreateList() };
    }

    private async Task<int> RunAsync(
        string? named, IReadOnlyList<PostHogHost> hosts, bool trustConfig, string format, string? output, Detection.Severity? failOn, CancellationToken cancellationToken)
    {
        var outputFile = console.FullPathOrNull(output);
        ReportOutput.RequireWritableFolder(outputFile, output, "--output");
        var configFile = HogGuardConfig.Locate(named, console.WorkingDirectory, console.WorkingDirectory)
            ?? throw new UsageException($"{HogGuardConfig.FileName} does not exist in {console.WorkingDirectory}; keys audit needs the environments and keys described in hogguard.yml (see the README), or pass --config FILE");
        var configPath = named ?? HogGuardConfig.FileName;

        var config = HogGuardConfig.Load(configFile);
        if (config.Keys.Count == 0)
        {
            throw new UsageException($"{configPath} names no keys; add an 'environments:' section (see the README)");
        }

        using var http = PostHogConnection.CreateHttpClient();
        var verifier = new SecretVerifier(new PostHogClient(http), PostHogConnection.KeyHosts(hosts, config.Hosts, trustConfig, configPath, console.GetEnvironmentVariable));
        var reader = new KeySourceReader(Path.GetDirectoryName(configFile)!, console.GetEnvironmentVariable);
        var findings = await new KeyAuditor(verifier, reader, config.KeyAudit, configFile).AuditAsync(config.Keys, cancellationToken);
        var environments = config.Keys.Select(k => k.Environment).Distinct().Count();
        var result = new ScanResult { Findings = findings, Statistics = new ScanStatistics(), Warnings = [] };
        var summary = new ReportSummary(result, failOn) { Subject = $"{config.Keys.Count} keys, {environments} environment(s)" };
        new ReportOutput(console).Write(format, outputFile, summary);
        return summary.Failed ? ExitCodes.Findings : ExitCodes.Clean;
    }
}
