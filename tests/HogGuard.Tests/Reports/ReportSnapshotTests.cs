using System.Reflection;
using System.Text;
using HogGuard.Detection;
using HogGuard.Reports;
using HogGuard.Sources;
using HogGuard.Testing;

namespace HogGuard.Tests.Reports;

/// <summary>Pins the JSON and SARIF formats (see <see cref="Snapshot"/>).</summary>
public sealed class ReportSnapshotTests
{
    private static ReportSummary Sample()
    {
        var date = new DateTimeOffset(2025, 3, 4, 5, 6, 7, TimeSpan.FromHours(1));
        var stats = new ScanStatistics();
        stats.AddScanned(1234);
        stats.AddScanned(4321);
        stats.AddBinary();
        var result = new ScanResult
        {
            Findings =
            [
                new Finding(Rules.PersonalApiKey, "personal_api_key", "0123456789ab", "phx_...wxyz",
                [
                    new Location("src/app.py", 3, 7, "1111111111111111111111111111111111111111", "Dev Eloper", date),
                    new Location("docs/setup guide.md", 10, 1, "2222222222222222222222222222222222222222", "Dev Eloper", date.AddDays(1)),
                    new Location("k8s/secret.yaml", 4, 8, "2222222222222222222222222222222222222222", "Dev Eloper", date.AddDays(1)) { Encoding = "base64" },
                ]),
                new Finding(Rules.GitignoreMissingEnv, "gitignore", "abcdefabcdef", "not ignored: .env.local", [new Location(".gitignore")]),
                new Finding(Rules.ProjectApiKey, "project_api_key", "fedcba987654", "phc_...AbCd", [new Location("web/index.html", 1, 20)]),
            ],
            Statistics = stats,
            Warnings = ["3 objects are missing"],
        };
        return new ReportSummary(result, Severity.High);
    }

    [Fact]
    public void JsonReport_MatchesSnapshot() => AssertSnapshot("report.json", stream => JsonReport.Write(stream, Sample()));

    [Fact]
    public void JsonReport_IsValidAgainstItsSchema_WithVerificationAndRevocation()
    {
        var sample = Sample();
        var verified = sample.Result.WithFindings(
            [.. sample.Result.Findings.Select(f => f with { Verification = new Verification(VerificationStatus.Live, "https://us.posthog.com") { Scopes = ["insight:read"], Revocation = new Revocation(true, "personal_api_key", "https://us.posthog.com") } })],
            0);
        using var stream = new MemoryStream();
        JsonReport.Write(stream, new ReportSummary(verified, null) { Live = LiveGate.LiveOnly });

        Schemas.AssertValid(Schemas.Report, Encoding.UTF8.GetString(stream.ToArray()));
        Assert.NotEmpty(Schemas.Problems(Schemas.Report, "{\"version\":2,\"findings\":[],\"summary\":{}}"));
    }

    [Fact]
    public void SarifReport_MatchesSnapshot() => AssertSnapshot("report.sarif.json", stream => SarifReport.Write(stream, Sample()), ToolVersion());

    [Fact]
    public void ReportSummary_FailsOnlyAtOrAboveThreshold()
    {
        var sample = Sample();
        Assert.True(sample.Failed);
        Assert.True((sample with { FailOn = Severity.Critical }).Failed);
        var onlyLow = sample.Result.WithFindings([.. sample.Result.Findings.Where(f => f.Severity == Severity.Low)], 0);
        Assert.False(new ReportSummary(onlyLow, Severity.High).Failed);
        Assert.True(new ReportSummary(onlyLow, Severity.Low).Failed);
    }

    /// <summary>The tool's version changes with every commit (0.2.0-dev.N); the snapshot holds a placeholder.</summary>
    private static string ToolVersion() =>
        typeof(SarifReport).Assembly.GetCustomAttribute<System.Reflection.AssemblyInformationalVersionAttribute>()!.InformationalVersion.Split('+')[0];

    private static void AssertSnapshot(string name, Action<Stream> write, string? version = null)
    {
        using var stream = new MemoryStream();
        write(stream);
        var text = Encoding.UTF8.GetString(stream.ToArray());
        if (version is not null)
        {
            Assert.Contains($"\"version\": \"{version}\"", text, StringComparison.Ordinal);
            text = text.Replace($"\"version\": \"{version}\"", "\"version\": \"<tool version>\"", StringComparison.Ordinal);
        }

        Snapshot.Match(name, text);
    }
}
