using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using HogGuard.Policy;
using HogGuard.PostHogApi;
using HogGuard.Testing;
using HogGuard.SecretStores;
using HogGuard.Configuration;
using HogGuard.Liveness;

namespace HogGuard.Tests.Policy;

/// <summary>
/// posthog/auth.py stamps <c>last_used_at</c> on the request that authenticates (at most hourly), and
/// today's <c>@current</c> answer already shows that stamp: the audit's own request must not pass
/// for a use, and the previous audit's stamp must read as "no use since".
/// </summary>
public sealed class LastUseTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);
    private readonly string _dir = Directory.CreateTempSubdirectory("hogguard-lastuse-").FullName;
    private readonly string _key = TestTokens.Make("phx_", base57: true, new Random(7));

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>@current answering with the given last use, as PostHog's serializer writes it.</summary>
    private sealed class Current(DateTimeOffset? lastUsed) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var used = lastUsed is { } at ? $"\"{at.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.ffffffZ", CultureInfo.InvariantCulture)}\"" : "null";
            var body = $$"""{"id":"1","label":"r","value":null,"mask_value":"phx_...abcd","created_at":"2026-11-01T00:00:00Z","last_used_at":{{used}},"scopes":["insight:read"],"scoped_teams":[1],"last_rolled_at":null}""";
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(body, Encoding.UTF8, "application/json") });
        }
    }

    private async Task<List<(string Rule, string? Detail)>> AuditAsync(DateTimeOffset? lastUsed)
    {
        File.WriteAllText(Path.Combine(_dir, ".env"), $"READER={_key}\n");
        var config = Path.Combine(_dir, "hogguard.yml");
        var policy = new KeyPolicy("production", "reader", KeySourceOf("dotenv:.env#READER"), KeyPurpose.Reader, ["insight:read"], null, false, 1, 1);
        var client = new PostHogClient(new HttpClient(new Current(lastUsed)), new PostHogClientOptions { MaxRetries = 0 });
        var auditor = new KeyAuditor(new SecretVerifier(client, [PostHogHost.For(new Uri("https://us.posthog.com/"))]), new KeySourceReader(_dir), KeyAuditThresholds.Default, config, new FakeTimeProvider(Now));
        var findings = await auditor.AuditAsync([policy]);
        return [.. findings.Select(f => (f.Rule.Id, f.Detail))];
    }

    private static KeySource KeySourceOf(string text) => KeySource.TryParse(text, out var source, out var error) ? source : throw new InvalidOperationException(error);

    private void RememberAudit(DateTimeOffset at) =>
        File.WriteAllText(
            Directory.CreateDirectory(Path.Combine(_dir, ".hogguard")).FullName + "/key-audits.tsv",
            $"{TestTokens.Sha256Prefix(_key)}\t{at.ToString("O", CultureInfo.InvariantCulture)}\n");

    [Fact]
    public async Task OwnRequestsStamp_IsNotAUse_AndNotReportedAsUnused()
    {
        var findings = await AuditAsync(lastUsed: Now);

        Assert.DoesNotContain(findings, f => f.Rule == "key-unused");
        Assert.Contains(TestTokens.Sha256Prefix(_key), File.ReadAllText(Path.Combine(_dir, ".hogguard", "key-audits.tsv")), StringComparison.Ordinal);
        Assert.DoesNotContain(_key, File.ReadAllText(Path.Combine(_dir, ".hogguard", "key-audits.tsv")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task StampOfThePreviousAudit_40DaysAgo_IsNoUseSinceThatAudit()
    {
        var previous = Now.AddDays(-40);
        RememberAudit(previous);

        var findings = await AuditAsync(lastUsed: previous.AddMinutes(1));

        Assert.Contains(("key-unused", "no use since the last audit on 2026-10-20"), findings);
    }

    [Fact]
    public async Task RealUseAfterThePreviousAudit_IsNotUnused()
    {
        RememberAudit(Now.AddDays(-40));

        var findings = await AuditAsync(lastUsed: Now.AddDays(-3));

        Assert.DoesNotContain(findings, f => f.Rule == "key-unused");
    }

    [Fact]
    public async Task OlderPostHogShowingThePreviousUse_IsReadAsIs()
    {
        var findings = await AuditAsync(lastUsed: Now.AddDays(-45));

        Assert.Contains(("key-unused", "last used 2026-10-15"), findings);
    }
}
