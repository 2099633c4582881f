namespace HogGuard.Keys;

/// <summary>What HogGuard knows about each token kind: prefix, size of the random part, whether it is secret.</summary>
public static class PostHogTokenKindInfo
{
    /// <summary>The four-character prefix, e.g. <c>phx_</c>.</summary>
    public static string Prefix(this PostHogTokenKind kind) => kind switch
    {
        PostHogTokenKind.ProjectApiKey => "phc_",
        PostHogTokenKind.PersonalApiKey => "phx_",
        PostHogTokenKind.ProjectSecretApiKey => "phs_",
        PostHogTokenKind.OAuthAccessToken => "pha_",
        PostHogTokenKind.OAuthRefreshToken => "phr_",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>Bytes of randomness PostHog draws for the kind: 35 for personal and secret keys, else 32.</summary>
    public static int RandomBytes(this PostHogTokenKind kind) =>
        kind is PostHogTokenKind.PersonalApiKey or PostHogTokenKind.ProjectSecretApiKey ? 35 : 32;

    /// <summary>False only for <c>phc_</c>, which is meant to ship in web pages and apps.</summary>
    public static bool IsSecret(this PostHogTokenKind kind) => kind != PostHogTokenKind.ProjectApiKey;

    /// <summary>A stable lower-case name used in reports, e.g. <c>personal_api_key</c>.</summary>
    public static string ReportName(this PostHogTokenKind kind) => kind switch
    {
        PostHogTokenKind.ProjectApiKey => "project_api_key",
        PostHogTokenKind.PersonalApiKey => "personal_api_key",
        PostHogTokenKind.ProjectSecretApiKey => "project_secret_api_key",
        PostHogTokenKind.OAuthAccessToken => "oauth_access_token",
        PostHogTokenKind.OAuthRefreshToken => "oauth_refresh_token",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>Maps the third byte of <c>ph?_</c> to a kind.</summary>
    internal static bool TryFromLetter(byte letter, out PostHogTokenKind kind)
    {
        switch (letter)
        {
            case (byte)'c': kind = PostHogTokenKind.ProjectApiKey; return true;
            case (byte)'x': kind = PostHogTokenKind.PersonalApiKey; return true;
            case (byte)'s': kind = PostHogTokenKind.ProjectSecretApiKey; return true;
            case (byte)'a': kind = PostHogTokenKind.OAuthAccessToken; return true;
            case (byte)'r': kind = PostHogTokenKind.OAuthRefreshToken; return true;
            default: kind = default; return false;
        }
    }
}
