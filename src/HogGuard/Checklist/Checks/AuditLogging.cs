using System.Globalization;
using HogGuard.Audit;

namespace HogGuard.Checklist;

/// <summary>Item 6: the audit directory exists, verifies, and was written to recently.</summary>
internal sealed class AuditLogging() : SecurityCheck(6, "audit-logging", "Audit logging is enabled")
{
    protected override CheckItem Run(CheckContext c)
    {
        const string Fix = "Name an audit directory in hogguard.yml (audit: { directory: PATH }) and write to it (AddPostHogAuditLog, hogguard audit append); ship it with hogguard audit ship.";
        if (c.Config.AuditLog.Directory is not { } directory)
        {
            return Fail(["hogguard.yml names no audit.directory"], Fix);
        }

        if (!Directory.Exists(directory))
        {
            return Fail([$"{directory} does not exist"], Fix);
        }

        var verification = AuditVerifier.Verify(directory);
        if (!verification.IsIntact)
        {
            return Fail([$"{directory}: {verification.Detail}"], "Find out who changed the log (hogguard audit verify names the first bad entry); keep the damaged files as evidence and start a new directory.");
        }

        var stats = AuditReader.Stats(directory);
        if (stats.LastEntry is not { } last)
        {
            return Warn([$"{directory} verifies but holds no entries"], "Make sure the app writes its security-relevant actions to the log.");
        }

        var age = c.Time.GetUtcNow() - last;
        var evidence = $"{directory}: {stats.Entries} entries verify; newest {last.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)}Z";
        return age > c.Options.AuditRecency
            ? Warn([evidence, $"no entry in the last {c.Options.AuditRecency.TotalDays:0} days"], "Check that the app still writes to the log.")
            : Pass([evidence]);
    }
}
