using HogGuard.Testing;

namespace HogGuard.Tests.Detection;

public sealed class SettingDetectorTests
{
    private const string Literal = "Zq8v3LmN0pR7sT2wX5yB9cD4fG6hJ1kQ";

    [Theory]
    [InlineData(".env", "POSTHOG_PERSONAL_API_KEY=" + Literal)]
    [InlineData(".env.production", "POSTHOG_API_KEY=\"" + Literal + "\"")]
    [InlineData("deploy.sh", "export POSTHOG_SECRET_TOKEN='" + Literal + "'")]
    [InlineData("config.yml", "posthog_api_key: " + Literal)]
    [InlineData("appsettings.json", "{ \"POSTHOG_PERSONAL_API_KEY\": \"" + Literal + "\" }")]
    public void Scan_SecretNamedSettingWithLiteral_IsReported(string path, string line)
    {
        var finding = Assert.Single(DetectorTestKit.Scan(line + "\n", path));
        Assert.Equal("posthog-setting-literal", finding.Rule.Id);
        Assert.Equal("Zq8v...J1kQ", finding.Masked);
    }

    [Theory]
    [InlineData(".env", "POSTHOG_PERSONAL_API_KEY=${VAULT_POSTHOG_KEY}")]
    [InlineData(".env", "POSTHOG_PERSONAL_API_KEY=$POSTHOG_FROM_CI_SECRET_STORE")]
    [InlineData(".env", "POSTHOG_HOST=" + Literal)]
    [InlineData(".env", "POSTHOG_API_KEY=changeme")]
    [InlineData(".env", "POSTHOG_API_KEY=https://us.i.posthog.com/some/path")]
    [InlineData("config.yml", "posthog_api_key: \"{{ secrets.posthog_api_key_value }}\"")]
    [InlineData("main.py", "POSTHOG_API_KEY = \"" + Literal + "\"")]
    public void Scan_ReferencesPlaceholdersOrOtherFiles_AreNotSettingFindings(string path, string line)
    {
        Assert.Empty(DetectorTestKit.Scan(line + "\n", path));
    }

    [Fact]
    public void Scan_SettingHoldingAPostHogToken_IsReportedOnceByTheTokenRule()
    {
        var token = TestTokens.Make("phx_", base57: true, new Random(5));
        var finding = Assert.Single(DetectorTestKit.Scan($"POSTHOG_PERSONAL_API_KEY={token}\n", ".env"));
        Assert.Equal("posthog-personal-api-key", finding.Rule.Id);
    }
}
