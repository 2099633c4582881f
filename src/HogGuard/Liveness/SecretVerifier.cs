using HogGuard.Detection;
using HogGuard.Keys;
using HogGuard.PostHogApi;

namespace HogGuard.Liveness;

/// <summary>
/// Asks PostHog whether found secrets are live, on each host in turn (keys carry no region):
/// <c>@current</c> on the app host for personal keys, flag definitions on the ingestion host for
/// project secret keys, <c>/api/users/@me/</c> for OAuth access tokens. Refresh tokens cannot be
/// checked. Only PostHog's 401 means a key is refused; a redirect, a 400, a 404, an unexpected body
/// or a host that keeps failing leaves the key <see cref="VerificationStatus.Unknown"/> or
/// <see cref="VerificationStatus.Unreachable"/>, with the reason. A bounded number of checks run at once.
/// </summary>
public sealed class SecretVerifier
{
    private readonly PostHogClient _client;
    private readonly IReadOnlyList<PostHogHost> _hosts;
    private readonly int _concurrency;

    /// <summary>A verifier asking <paramref name="hosts"/> in turn (US then EU when empty), <paramref name="concurrency"/> keys at a time.</summary>
    public SecretVerifier(PostHogClient client, IReadOnlyList<PostHogHost> hosts, int concurrency = 4)
    {
        _client = client ?? throw new ArgumentNullException(nameof(client));
        _hosts = hosts is { Count: > 0 } ? hosts : PostHogHosts.Default;
        _concurrency = Math.Max(1, concurrency);
    }

    /// <summary>
    /// Returns the findings with <see cref="Finding.Verification"/> set for every secret token. A
    /// <c>phs_</c> key is checked with the project token (<c>phc_</c>) found in the same file, when
    /// there is exactly one, as PostHog's flags service expects.
    /// </summary>
    public async Task<List<Finding>> VerifyAsync(IReadOnlyList<Finding> findings, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(findings);
        var tokensByPath = ProjectTokensByPath(findings);
        var results = new Finding[findings.Count];
        await Parallel.ForEachAsync(
            Enumerable.Range(0, findings.Count),
            new ParallelOptions { MaxDegreeOfParallelism = _concurrency, CancellationToken = cancellationToken },
            async (i, token) =>
            {
                var finding = findings[i];
                if (finding.Secret is not { Kind: { } kind } secret || !kind.IsSecret())
                {
                    results[i] = finding;
                    return;
                }

                var projectToken = kind == PostHogTokenKind.ProjectSecretApiKey
                    ? finding.Locations.Select(l => tokensByPath.GetValueOrDefault(l.Path)).FirstOrDefault(t => t is not null)
                    : null;
                results[i] = finding with { Verification = await VerifyAsync(secret, projectToken, token).ConfigureAwait(false) };
            }).ConfigureAwait(false);
        return [.. results];
    }

    /// <summary>Checks one secret; <paramref name="projectToken"/> is the <c>phc_</c> token sent with a <c>phs_</c> key's check, when known.</summary>
    public async Task<Verification> VerifyAsync(PostHogSecret secret, string? projectToken = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(secret);
        if (secret.Kind is not { } kind || kind is PostHogTokenKind.OAuthRefreshToken or PostHogTokenKind.ProjectApiKey)
        {
            return new Verification(VerificationStatus.Unknown, Detail: "PostHog offers no way to check this kind of token without using it");
        }

        var refused = new List<Verification>();
        Verification? unknown = null;
        Verification? unreachable = null;
        foreach (var host in _hosts)
        {
            var verification = kind switch
            {
                PostHogTokenKind.PersonalApiKey => FromCurrent(await _client.GetCurrentPersonalKeyAsync(host.App, secret, cancellationToken).ConfigureAwait(false)),
                PostHogTokenKind.ProjectSecretApiKey => FromFlags(await _client.CheckFlagDefinitionsAsync(host.Ingestion, secret, projectToken, cancellationToken).ConfigureAwait(false), projectToken),
                _ => FromAnswer(await _client.GetMeAsync(host.App, secret, cancellationToken).ConfigureAwait(false)),
            };
            switch (verification.Status)
            {
                case VerificationStatus.Live:
                    return verification;
                case VerificationStatus.Invalid:
                    refused.Add(verification);
                    break;
                case VerificationStatus.Unreachable:
                    unreachable ??= verification;
                    break;
                default:
                    unknown ??= verification;
                    break;
            }
        }

        if (unknown is not null)
        {
            return unknown;
        }

        if (unreachable is not null)
        {
            return unreachable;
        }

        return refused.Count == 1
            ? refused[0]
            : new Verification(VerificationStatus.Invalid, Detail: $"refused by {string.Join(" and ", refused.Select(r => r.Host))}{(projectToken is null ? string.Empty : $" for project token {SecretMasking.Mask(projectToken)}")}");
    }
    /// <summary>
    /// Whether <c>--revoke</c> sends this finding to PostHog: every live secret, refresh tokens (which
    /// cannot be checked) and OAuth access tokens that no longer verify (PostHog revokes the session
    /// behind an expired access token too, <c>posthog/api/secret_revocation.py</c>).
    /// </summary>
    public static bool ShouldRevoke(Finding finding) => finding is { Secret: { } secret, Verification: { } v }
        && (v.Status == VerificationStatus.Live
            || (v.Status == VerificationStatus.Unknown && secret.Kind == PostHogTokenKind.OAuthRefreshToken)
            || (v.Status == VerificationStatus.Invalid && secret.Kind == PostHogTokenKind.OAuthAccessToken));

    /// <summary>
    /// Sends each finding <see cref="ShouldRevoke"/> picks to PostHog's revocation endpoint on every
    /// host until one knows it; returns the findings with the answers. PostHog rolls personal and
    /// project secret keys (their owner is emailed) and revokes OAuth sessions; it does not know the
    /// legacy team secret token.
    /// </summary>
    public async Task<List<Finding>> RevokeAsync(IReadOnlyList<Finding> findings, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(findings);
        var results = new List<Finding>(findings.Count);
        foreach (var finding in findings)
        {
            if (!ShouldRevoke(finding))
            {
                results.Add(finding);
                continue;
            }

            var secret = finding.Secret!;
            Revocation? revocation = null;
            foreach (var host in _hosts)
            {
                var answer = await _client.RevokeLeakedKeyAsync(host.App, secret, cancellationToken).ConfigureAwait(false);
                var current = new Revocation(answer.Value?.Found == true, answer.Value?.Type, PostHogHosts.Name(host.App), answer.IsOk ? null : answer.Detail);
                if (current.Found || revocation is null || (revocation.Detail is not null && current.Detail is null))
                {
                    revocation = current;
                }

                if (current.Found)
                {
                    break;
                }
            }

            if (revocation is { Found: false, Detail: null } && secret.Kind == PostHogTokenKind.ProjectSecretApiKey && finding.Verification!.Status == VerificationStatus.Live)
            {
                revocation = revocation with { Detail = "PostHog's revocation does not know it: a live phs_ that no host knows is the project's legacy team secret token, which only a person can rotate. Run 'hogguard keys rotate' for it (a guided rotation) or rotate it in Project settings" };
            }

            results.Add(finding with { Verification = finding.Verification! with { Revocation = revocation } });
        }

        return results;
    }

    private static Verification FromCurrent(ApiResult<PersonalApiKeyInfo> answer) => answer switch
    {
        { Outcome: ApiOutcome.Ok, Value: { } key } => new Verification(VerificationStatus.Live, PostHogHosts.Name(answer.Host))
        {
            Scopes = key.Scopes.Count == 0 ? ["*"] : key.Scopes,
            ScopedTeams = key.ScopedTeams,
            CreatedAt = key.CreatedAt,
            LastUsedAt = key.LastUsedAt,
            LastRolledAt = key.LastRolledAt,
        },
        _ => FromAnswer(answer),
    };

    /// <summary>
    /// The flags service (<c>rust/feature-flags/</c>): a 401 with a project token means the key is not
    /// this project's, or is gone; without one, that the key is gone. A 400 (a version that wants the
    /// token) leaves the key unknown.
    /// </summary>
    private static Verification FromFlags(ApiResult<bool> answer, string? projectToken) => answer switch
    {
        { Outcome: ApiOutcome.InvalidKey } when projectToken is not null =>
            new Verification(VerificationStatus.Invalid, PostHogHosts.Name(answer.Host), $"refused for project token {SecretMasking.Mask(projectToken)}: revoked, rolled, or a key of another project ({answer.Detail})"),
        { Status: 400 } when projectToken is null =>
            new Verification(VerificationStatus.Unknown, PostHogHosts.Name(answer.Host), $"{PostHogHosts.Name(answer.Host)} wants the project token with this check ({answer.Detail}); put the phc_ token beside the key or in hogguard.yml"),
        _ => FromAnswer(answer),
    };

    private static Verification FromAnswer<T>(ApiResult<T> answer) => answer.Outcome switch
    {
        var outcome when outcome.ProvesKeyLive() => new Verification(VerificationStatus.Live, PostHogHosts.Name(answer.Host), answer.Detail),
        ApiOutcome.Unreachable => new Verification(VerificationStatus.Unreachable, PostHogHosts.Name(answer.Host), answer.Detail),
        ApiOutcome.InvalidKey => new Verification(VerificationStatus.Invalid, PostHogHosts.Name(answer.Host), answer.Detail),
        _ => new Verification(VerificationStatus.Unknown, PostHogHosts.Name(answer.Host), $"{PostHogHosts.Name(answer.Host)} gave no verdict: {answer.Detail ?? $"HTTP {answer.Status}"}"),
    };

    private static Dictionary<string, string> ProjectTokensByPath(IReadOnlyList<Finding> findings)
    {
        var byPath = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var finding in findings)
        {
            if (finding.Secret is { Kind: PostHogTokenKind.ProjectApiKey } token)
            {
                foreach (var location in finding.Locations)
                {
                    if (!byPath.TryGetValue(location.Path, out var set))
                    {
                        byPath[location.Path] = set = new HashSet<string>(StringComparer.Ordinal);
                    }

                    set.Add(token.Reveal());
                }
            }
        }

        // Two project tokens in one file: which one a key belongs to is a guess, so none is sent.
        return byPath.Where(p => p.Value.Count == 1).ToDictionary(p => p.Key, p => p.Value.First(), StringComparer.Ordinal);
    }
}
