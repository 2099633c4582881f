using HogGuard.Audit;
using HogGuard.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace HogGuard.AspNetCore.Tests;

public sealed class AuditLogRegistrationTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("hogguard-di-audit-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task AddPostHogAuditLog_WritesDurablyAndMirrorsToILogger()
    {
        var sink = new ListLoggerProvider();
        var services = new ServiceCollection();
        services.AddLogging(b => b.AddProvider(sink));
        services.AddPostHogAuditLog(o =>
        {
            o.Directory = _dir;
            o.MirrorToLogger = true;
        });
        await using (var provider = services.BuildServiceProvider())
        {
            var log = provider.GetRequiredService<IAuditLog>();
            var stored = await log.WriteAsync(new AuditEntry(DateTimeOffset.UtcNow, "flag.changed", "alice", "flag/beta", AuditOutcome.Success));
            Assert.Equal(1, stored.Sequence);
        }

        Assert.True(AuditVerifier.Verify(_dir).IsIntact);
        Assert.Contains(sink.Messages, m => m.Contains("Audit 1: flag.changed by alice on flag/beta: Success", StringComparison.Ordinal));
    }

    [Fact]
    public void AddPostHogAuditLog_WithoutDirectory_FailsValidation()
    {
        var services = new ServiceCollection();
        services.AddPostHogAuditLog(_ => { });
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<PostHogAuditLogOptions>>().Value);

        Assert.Contains("needs a Directory", error.Message, StringComparison.Ordinal);
    }
}
