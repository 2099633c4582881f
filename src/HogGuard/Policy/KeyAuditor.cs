using System.Globalization;
using HogGuard.Detection;
using HogGuard.Keys;
using HogGuard.PostHogApi;
using HogGuard.Configuration;
using HogGuard.Liveness;

namespace HogGuard.Policy;

/// <summary>
/// <c>hogguard keys audit</c>: reads every key <c>hogguard.yml</c> names, introspects it on PostHog
/// and reports what breaks least privilege: missing or wrong-kind keys, invalid keys, wildcard or
/// extra scopes, overdue (or soon due) rotation, unused keys, one key in several environments, a
/// reader and writer sharing a key, and keys not limited to projects where the policy says so.
/// </summary>
public sealed class KeyAuditor
{
    private readonly SecretVerifier _verifier;
    private readonly KeySourceReader _reader;
    private readonly TimeProvider _time;
    private readonly KeyAuditThresholds _settings;
    private readonly string _configPath;

    /// <summary>An auditor of the keys hogguard.yml (at <paramref name="configPath"/>) names, asking PostHog through <paramref name="verifier"/>.</summary>
    public KeyAuditor(SecretVerifier verifier, KeySourceReader reader, KeyAuditThresholds settings, string configPath, TimeProvider? time = null)
    {
        _verifier = verifier;
        _reader = reader;
        _settings = settings;
        _configPath = configPath;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Audits every key; findings are ordered by environment, then severity.</summary>
    /// <exception cref="HostUnreachableException">PostHog could not be reached, so no verdict would be trustworthy.</exception>
    public async Task<List<Finding>> AuditAsync(IReadOnlyList<KeyPolicy> policies, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(policies);
        var findings = new List<Finding>();
        var read = new List<(KeyPolicy Policy, PostHogSecret Secret)>();
        var checks = new Dictionary<string, Verification>(StringComparer.Ordinal);
        var history = AuditHistory.Beside(_configPath);
        var previousAudits = history.Read();
        var asked = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        foreach (var policy in policies)
        {
            var (value, problem) = _reader.Read(policy.Source);
            if (value is null)
            {
                findings.Add(Make(Rules.KeyMissing, policy, SecretMasking.Fingerprint($"{policy.Environment}/{policy.Name}"), "(missing)", problem));
                continue;
            }

            var secret = new PostHogSecret(value);
            read.Add((policy, secret));
            if (WrongKind(policy.Purpose, secret.Kind) is { } wrong)
            {
                findings.Add(Make(Rules.KeyWrongKind, policy, secret, wrong));
                continue;
            }

            if (secret.Kind is PostHogTokenKind.PersonalApiKey or PostHogTokenKind.ProjectSecretApiKey && !checks.ContainsKey(secret.Fingerprint))
            {
                var projectToken = secret.Kind == PostHogTokenKind.ProjectSecretApiKey ? ProjectToken(policies, policy.Environment) : null;
                asked[secret.Fingerprint] = _time.GetUtcNow();
                var verification = await _verifier.VerifyAsync(secret, projectToken, cancellationToken).ConfigureAwait(false);
                // No verdict (a host that never answered, or answered a redirect, a 400 or a page that is
                // not PostHog's): an audit that passed such a key would be a false all-clear.
                if (verification.Status is VerificationStatus.Unreachable or VerificationStatus.Unknown)
                {
                    throw new HostUnreachableException($"could not audit {policy.Environment}/{policy.Name}: {verification.Detail}");
                }

                checks[secret.Fingerprint] = verification;
            }

            if (checks.TryGetValue(secret.Fingerprint, out var check))
            {
                var use = LastUse(check, asked.GetValueOrDefault(secret.Fingerprint), previousAudits.TryGetValue(secret.Fingerprint, out var before) ? before : null);
                findings.AddRange(Judge(policy, secret, check, use));
            }
        }

        history.Record(asked.Where(a => checks.TryGetValue(a.Key, out var c) && c.Status == VerificationStatus.Live).Select(a => a.Key), _time.GetUtcNow());

        findings.AddRange(Shared(read));
        return [.. findings.OrderBy(f => f.Environment, StringComparer.Ordinal).ThenByDescending(f => f.Severity).ThenBy(f => f.Rule.Id, StringComparer.Ordinal)];
    }

    /// <summary>The environment's <c>phc_</c> project token (its capture key), sent with a <c>phs_</c> key's check as the flags service expects.</summary>
    private string? ProjectToken(IReadOnlyList<KeyPolicy> policies, string environment) =>
        policies.Where(p => p.Environment == environment && p.Purpose == KeyPurpose.Capture)
            .Select(p => _reader.Read(p.Source).Value)
            .FirstOrDefault(v => v is not null && new PostHogSecret(v).Kind == PostHogTokenKind.ProjectApiKey);

    /// <summary>What <c>last_used_at</c> tells about a key's use, given that PostHog stamps it on the request that authenticates.</summary>
    private enum UseKind
    {
        /// <summary>A use PostHog recorded before this audit asked (older versions show it; or a use within the last hour).</summary>
        Known,

        /// <summary>The value is this audit's own request (PostHog today shows the stamp it just made): the real last use is unknown.</summary>
        OwnRequest,

        /// <summary>The value is the previous audit's own request: nothing used the key since (to PostHog's hourly precision).</summary>
        NoneSinceLastAudit,
    }

    private readonly record struct LastUseReading(UseKind Kind, DateTimeOffset? At);

    /// <summary>
    /// Reads <c>last_used_at</c> knowing that PostHog sets it to now on the request that authenticates,
    /// at most hourly (<c>posthog/auth.py</c>), and that today's <c>@current</c> answer already shows
    /// that stamp: a time within an hour after the previous audit is that audit's own request; a time
    /// at or after this audit's request is this audit's own.
    /// </summary>
    private static LastUseReading LastUse(Verification check, DateTimeOffset askedAt, DateTimeOffset? previousAudit)
    {
        if (check.LastUsedAt is not { } used)
        {
            return new(UseKind.Known, null);
        }

        if (previousAudit is { } before && used >= before - ClockSkew && used <= before + TimeSpan.FromHours(1))
        {
            return new(UseKind.NoneSinceLastAudit, before);
        }

        return used >= askedAt - ClockSkew ? new(UseKind.OwnRequest, used) : new(UseKind.Known, used);
    }

    /// <summary>How far PostHog's clock may be from this machine's.</summary>
    private static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(2);

    private IEnumerable<Finding> Judge(KeyPolicy policy, PostHogSecret secret, Verification check, LastUseReading use)
    {
        if (check.Status == VerificationStatus.Invalid)
        {
            yield return Make(Rules.KeyInvalid, policy, secret, check.Detail);
            yield break;
        }

        // Only a personal key can describe itself (scopes, age, last use); a secret key is live or not.
        if (check.Scopes is not { } scopes)
        {
            yield break;
        }

        if (ScopeSet.Of(scopes).IsWildcard && policy.Scopes?.Contains("*") != true)
        {
            yield return Make(Rules.KeyWildcardScope, policy, secret, "scopes: *");
        }
        else if (policy.Scopes is { } allowed && ScopeSet.Of(scopes).Beyond(ScopeSet.Of(allowed)) is { Count: > 0 } extra)
        {
            yield return Make(Rules.KeyExcessScopes, policy, secret, $"beyond the policy: {string.Join(", ", extra)}");
        }

        var now = _time.GetUtcNow();
        if (policy.MaxAgeDays is { } maxAge && (check.LastRolledAt ?? check.CreatedAt) is { } since)
        {
            var due = since.AddDays(maxAge);
            var dueText = due.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            if (now > due)
            {
                yield return Make(Rules.KeyRotationOverdue, policy, secret, $"due on {dueText} ({(int)(now - since).TotalDays} days old, max {maxAge}); run: {RotateCommand(policy)}");
            }
            else if (due - now <= TimeSpan.FromDays(_settings.DueSoonDays))
            {
                yield return Make(Rules.KeyRotationDueSoon, policy, secret, $"due on {dueText}");
            }
        }

        switch (use)
        {
            case { Kind: UseKind.Known, At: null }:
                yield return Make(Rules.KeyUnused, policy, secret, "never used");
                break;
            case { Kind: UseKind.Known, At: { } at } when now - at > TimeSpan.FromDays(_settings.UnusedDays):
                yield return Make(Rules.KeyUnused, policy, secret, $"last used {at.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}");
                break;
            case { Kind: UseKind.NoneSinceLastAudit, At: { } audit } when now - audit > TimeSpan.FromDays(_settings.UnusedDays):
                yield return Make(Rules.KeyUnused, policy, secret, $"no use since the last audit on {audit.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}");
                break;
        }

        if (policy.RequireProjectScope && check.ScopedTeams is not { Count: > 0 })
        {
            yield return Make(Rules.KeyNotProjectScoped, policy, secret, "not limited to any project");
        }
    }

    private IEnumerable<Finding> Shared(List<(KeyPolicy Policy, PostHogSecret Secret)> read)
    {
        foreach (var group in read.GroupBy(r => r.Secret.Fingerprint).Where(g => g.Select(r => r.Policy.Environment).Distinct().Count() > 1))
        {
            var first = group.First();
            yield return new Finding(
                Rules.KeySharedAcrossEnvironments,
                KindName(first.Secret),
                first.Secret.Fingerprint,
                first.Secret.Masked,
                [.. group.Select(r => Where(r.Policy))])
            {
                Detail = "used by " + string.Join(", ", group.Select(r => $"{r.Policy.Environment}/{r.Policy.Name}")),
            };
        }

        foreach (var env in read.GroupBy(r => r.Policy.Environment))
        {
            var readers = env.Where(r => r.Policy.Purpose == KeyPurpose.Reader).ToList();
            foreach (var writer in env.Where(r => r.Policy.Purpose == KeyPurpose.Writer))
            {
                if (readers.Find(r => r.Secret.Fingerprint == writer.Secret.Fingerprint) is { Policy: not null } reader)
                {
                    yield return Make(Rules.KeyReaderWriterShared, writer.Policy, writer.Secret, $"{reader.Policy.Name} and {writer.Policy.Name} are the same key") with
                    {
                        Locations = [Where(reader.Policy), Where(writer.Policy)],
                    };
                }
            }
        }
    }

    private static string? WrongKind(KeyPurpose purpose, PostHogTokenKind? kind) => (purpose, kind) switch
    {
        (KeyPurpose.Capture, PostHogTokenKind.ProjectApiKey) => null,
        (KeyPurpose.Reader or KeyPurpose.Writer, PostHogTokenKind.PersonalApiKey) => null,
        (KeyPurpose.Flags, PostHogTokenKind.ProjectSecretApiKey or PostHogTokenKind.PersonalApiKey) => null,
        (KeyPurpose.Capture, _) => $"capture needs the public phc_ project key, not {Describe(kind)}",
        (KeyPurpose.Flags, _) => $"flags needs a phs_ project secret key or a phx_ personal key, not {Describe(kind)}",
        _ => $"{purpose.ToString().ToLowerInvariant()} needs a phx_ personal key, not {Describe(kind)}",
    };

    private static string Describe(PostHogTokenKind? kind) => kind is { } k ? $"a {k.Prefix()} {k.ReportName().Replace('_', ' ')}" : "a value that is no PostHog key";

    private Finding Make(Rule rule, KeyPolicy policy, PostHogSecret secret, string? detail) =>
        Make(rule, policy, secret.Fingerprint, secret.Masked, detail) with { Kind = KindName(secret) };

    private Finding Make(Rule rule, KeyPolicy policy, string fingerprint, string masked, string? detail) =>
        new(rule, "policy", fingerprint, masked, [Where(policy)]) { Environment = policy.Environment, Detail = detail };

    /// <summary>The exact command that rotates this key (with --config when the file is not the default one).</summary>
    private string RotateCommand(KeyPolicy policy)
    {
        var config = Path.GetFileName(_configPath) == Configuration.HogGuardConfig.FileName ? string.Empty : $" --config {Quote(_configPath)}";
        return $"hogguard keys rotate --env {Quote(policy.Environment)} --key {Quote(policy.Name)}{config}";
    }

    private static string Quote(string word) => word.Length > 0 && word.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '/') ? word : $"'{word.Replace("'", "'\\''", StringComparison.Ordinal)}'";

    private Location Where(KeyPolicy policy) => new(Path.GetFileName(_configPath), policy.Line, policy.Column);

    private static string KindName(PostHogSecret secret) => secret.Kind?.ReportName() ?? "unknown";
}
