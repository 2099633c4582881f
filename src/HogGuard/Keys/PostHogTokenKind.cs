namespace HogGuard.Keys;

/// <summary>The five kinds of token PostHog issues, told apart by their prefix.</summary>
public enum PostHogTokenKind
{
    /// <summary><c>phc_</c>: project API key, public by design (capture and flags).</summary>
    ProjectApiKey,

    /// <summary><c>phx_</c>: personal API key, acts as its user on the private API.</summary>
    PersonalApiKey,

    /// <summary><c>phs_</c>: project secret API key (and the legacy feature-flag secure key).</summary>
    ProjectSecretApiKey,

    /// <summary><c>pha_</c>: OAuth access token.</summary>
    OAuthAccessToken,

    /// <summary><c>phr_</c>: OAuth refresh token.</summary>
    OAuthRefreshToken,
}
