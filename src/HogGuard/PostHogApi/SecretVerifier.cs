using HogGuard.Detection;
using HogGuard.Keys;

namespace HogGuard.PostHogApi;

/// <summary>
/// Asks PostHog whether found secrets are live, on each host in turn (keys carry no region):
/// <c>@current</c> for personal keys, flag definitions for project secret keys, <c>/api/users/@me/</c>
/// for OAuth access tokens. Refresh tokens cannot be checked. A bounded number of checks run at once.
/// </summary>
public sealed class SecretVerifier
{
    private readonly PostHogClient _client;
    private readonly IReadOnlyList<Uri> _hosts;
    private readonly int _concurrency;

    public SecretVerifier(PostHogClient client, IReadOnlyList<Uri> hosts, int concurrency = 4)
    {
        _client = client ?? throw new ArgumentNullException(nameof(client));
        _hosts = hosts is { Count: > 0 } ? hosts : PostHogHosts.Default;
        _concurrency = Math.Max(1, concurrency);
    }

    /// <summary>Returns the findings with <see cref="Finding.Verification"/> set for every secret token.</summary>
    public async Task<List<Finding>> VerifyAsync(IReadOnlyList<Finding> findings, CancellationToken cancellationToken = default)
    {
        var results = new Finding[findings.Count];
        await Parallel.ForEachAsync(
            Enumerable.Range(0, findings.Count),
            new ParallelOptions { MaxDegreeOfParallelism = _concurrency, CancellationToken = cancellationToken },
            async (i, token) =>
            {
                var finding = findings[i];
                results[i] = finding.Secret is { Kind: { } kind } secret && kind.IsSecret()
                    ? finding with { Verification = await VerifyAsync(secret, token).ConfigureAwait(false) }
                    : finding;
            }).ConfigureAwait(false);
        return [.. results];
    }

    /// <summary>Checks one secret.</summary>
    public async Task<Verification> VerifyAsync(PostHogSecret secret, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(secret);
        if (secret.Kind is not { } kind || kind is PostHogTokenKind.OAuthRefreshToken or PostHogTokenKind.ProjectApiKey)
        {
            return new Verification(VerificationStatus.Unknown, Detail: "PostHog offers no way to check this kind of token without using it");
        }

        string? unreachable = null;
        foreach (var host in _hosts)
        {
            var verification = kind switch
            {
                PostHogTokenKind.PersonalApiKey => FromCurrent(await _client.GetCurrentPersonalKeyAsync(host, secret, cancellationToken).ConfigureAwait(false)),
                PostHogTokenKind.ProjectSecretApiKey => FromAnswer(await _client.CheckFlagDefinitionsAsync(host, secret, null, cancellationToken).ConfigureAwait(false)),
                _ => FromAnswer(await _client.GetMeAsync(host, secret, cancellationToken).ConfigureAwait(false)),
            };
            switch (verification.Status)
            {
                case VerificationStatus.Live:
                    return verification;
                case VerificationStatus.Unreachable:
                    unreachable = verification.Detail;
                    break;
            }
        }

        return unreachable is null
            ? new Verification(VerificationStatus.Invalid, Detail: $"not accepted by {string.Join(" or ", _hosts.Select(h => h.GetLeftPart(UriPartial.Authority)))}")
            : new Verification(VerificationStatus.Unreachable, Detail: unreachable);
    }

    /// <summary>Sends each live secret to PostHog's revocation endpoint on every host; returns the findings with the answers.</summary>
    public async Task<List<Finding>> RevokeAsync(IReadOnlyList<Finding> findings, CancellationToken cancellationToken = default)
    {
        var results = new List<Finding>(findings.Count);
        foreach (var finding in findings)
        {
            // Live keys, and refresh tokens, which PostHog offers no way to check but will revoke.
            if (finding is not { Secret: { } secret, Verification: { } verification }
                || !(verification.Status == VerificationStatus.Live || (verification.Status == VerificationStatus.Unknown && secret.Kind == PostHogTokenKind.OAuthRefreshToken)))
            {
                results.Add(finding);
                continue;
            }

            Revocation? revocation = null;
            foreach (var host in _hosts)
            {
                var answer = await _client.RevokeLeakedKeyAsync(host, secret, cancellationToken).ConfigureAwait(false);
                var current = new Revocation(answer.Value?.Found == true, answer.Value?.Type, host.GetLeftPart(UriPartial.Authority), answer.IsOk ? null : answer.Detail);
                if (current.Found || revocation is null)
                {
                    revocation = current;
                }

                if (current.Found)
                {
                    break;
                }
            }

            results.Add(finding with { Verification = verification with { Revocation = revocation } });
        }

        return results;
    }

    private static Verification FromCurrent(ApiResult<PersonalApiKeyInfo> answer) => answer switch
    {
        { Outcome: ApiOutcome.Ok, Value: { } key } => new Verification(VerificationStatus.Live, answer.Host.GetLeftPart(UriPartial.Authority))
        {
            Scopes = key.Scopes.Count == 0 ? ["*"] : key.Scopes,
            ScopedTeams = key.ScopedTeams,
            CreatedAt = key.CreatedAt,
            LastUsedAt = key.LastUsedAt,
            LastRolledAt = key.LastRolledAt,
        },
        _ => FromAnswer(answer),
    };

    private static Verification FromAnswer<T>(ApiResult<T> answer) => answer.Outcome switch
    {
        // A valid key that lacks a scope, or may not use this endpoint, is still live.
        ApiOutcome.Ok or ApiOutcome.MissingScope or ApiOutcome.Forbidden or ApiOutcome.NoProjectAccess => new Verification(VerificationStatus.Live, answer.Host.GetLeftPart(UriPartial.Authority), answer.Detail),
        ApiOutcome.Unreachable => new Verification(VerificationStatus.Unreachable, answer.Host.GetLeftPart(UriPartial.Authority), answer.Detail),
        _ => new Verification(VerificationStatus.Invalid, answer.Host.GetLeftPart(UriPartial.Authority), answer.Detail),
    };
}
