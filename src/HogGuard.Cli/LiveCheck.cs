using HogGuard.Detection;
using HogGuard.PostHogApi;
using HogGuard.Liveness;

namespace HogGuard.Cli;

/// <summary><c>scan --verify</c> and <c>--revoke</c>: the only network use of scan, thin over <see cref="SecretVerifier"/>.</summary>
internal sealed class LiveCheck(CliConsole console)
{
    public async Task<List<Finding>> RunAsync(ScanSettings settings, IReadOnlyList<PostHogHost> hosts, IReadOnlyList<Finding> findings, string? auditDirectory, CancellationToken cancellationToken)
    {
        var stderr = console.Error;
        using var http = PostHogConnection.CreateHttpClient();
        var verifier = new SecretVerifier(new PostHogClient(http), hosts);
        var verified = await verifier.VerifyAsync(findings, cancellationToken);

        // A host that never answered means the report could say "invalid" for a live key: stop instead.
        if (verified.Select(f => f.Verification).FirstOrDefault(v => v?.Status == VerificationStatus.Unreachable) is { } down)
        {
            throw new UsageException($"could not verify the keys: {down.Detail}; check the network or --host, or scan without --verify");
        }

        if (!settings.Revoke)
        {
            return verified;
        }

        var live = verified.Count(SecretVerifier.ShouldRevoke);
        if (live == 0)
        {
            await stderr.WriteLineAsync("hogguard: no live secrets (or refresh tokens) to revoke");
            return verified;
        }

        if (!settings.Yes && !Confirm(live, hosts))
        {
            await stderr.WriteLineAsync("hogguard: nothing revoked");
            return verified;
        }

        var revoked = await verifier.RevokeAsync(verified, cancellationToken);
        if (auditDirectory is not null)
        {
            await AuditRevocationsAsync(auditDirectory, revoked, cancellationToken);
        }

        foreach (var finding in revoked.Where(f => f.Verification?.Revocation is not null))
        {
            var r = finding.Verification!.Revocation!;
            await stderr.WriteLineAsync(r.Found
                ? $"hogguard: revoked {finding.Masked} (sha256:{finding.Fingerprint}) on {r.Host}: {r.Effect}"
                : $"hogguard: {r.Host} did not know {finding.Masked} (sha256:{finding.Fingerprint}){(r.Detail is null ? string.Empty : ": " + r.Detail)}");
        }

        return revoked;
    }

    /// <summary>Every revocation attempt becomes a durable audit entry (masked, fingerprinted), before the report is written.</summary>
    private static async Task AuditRevocationsAsync(string directory, IEnumerable<Finding> findings, CancellationToken cancellationToken)
    {
        await using var log = new Audit.FileAuditLog(new Audit.AuditLogOptions { Directory = directory });
        foreach (var entry in Audit.RevocationAudit.EntriesFor(findings, DateTimeOffset.UtcNow, Environment.UserName))
        {
            await log.WriteAsync(entry, cancellationToken);
        }
    }

    private bool Confirm(int live, IReadOnlyList<PostHogHost> hosts)
    {
        var stderr = console.Error;
        if (console.IsInputRedirected)
        {
            throw new UsageException("--revoke asks before revoking, but no one can answer here; add --yes to revoke without asking");
        }

        var where = hosts.Count == 0 ? "PostHog US and EU" : string.Join(", ", hosts.Select(h => PostHogHosts.Name(h.App)));
        stderr.Write($"Revoke {live} live secret(s) or refresh token(s) through {where}? PostHog rolls keys (their owners are emailed) and ends OAuth sessions; services using them stop working. [y/N] ");
        stderr.Flush();
        return console.In.ReadLine()?.Trim().ToUpperInvariant() is "Y" or "YES";
    }
}
