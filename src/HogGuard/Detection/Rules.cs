using HogGuard.Keys;

namespace HogGuard.Detection;

/// <summary>The catalogue of rules HogGuard reports.</summary>
public static class Rules
{
    private const string RevokeHint = " If it was ever pushed, treat it as leaked even after deleting it: history keeps it.";

    public static readonly Rule PersonalApiKey = new(
        "posthog-personal-api-key",
        "PostHog personal API key (phx_)",
        Severity.Critical,
        "Roll the key in PostHog (Settings > Personal API keys > Roll), move the new value into the environment or a secret store, and remove it from the code." + RevokeHint);

    public static readonly Rule ProjectSecretApiKey = new(
        "posthog-project-secret-api-key",
        "PostHog project secret API key (phs_)",
        Severity.Critical,
        "Roll the key in PostHog (Project settings > Secret API keys, or POST /api/projects/{id}/project_secret_api_keys/{key}/roll/), store the new value outside git, and remove it from the code." + RevokeHint);

    public static readonly Rule OAuthAccessToken = new(
        "posthog-oauth-access-token",
        "PostHog OAuth access token (pha_)",
        Severity.High,
        "Revoke the token (POST /api/revoke_leaked_key on the US and EU hosts, or remove the app's authorisation) and keep tokens out of source files." + RevokeHint);

    public static readonly Rule OAuthRefreshToken = new(
        "posthog-oauth-refresh-token",
        "PostHog OAuth refresh token (phr_)",
        Severity.High,
        "Revoke the token (POST /api/revoke_leaked_key on the US and EU hosts, or remove the app's authorisation) and keep tokens out of source files." + RevokeHint);

    public static readonly Rule ProjectApiKey = new(
        "posthog-project-api-key",
        "PostHog project API key (phc_, public by design)",
        Severity.Low,
        "No action needed for a key that is meant to ship to browsers and apps; if this project should not receive events from here, reset the project token in PostHog.");

    public static readonly Rule SettingLiteral = new(
        "posthog-setting-literal",
        "A POSTHOG_* key, secret or token setting holds a literal value",
        Severity.High,
        "Read the value from the environment or a secret store instead (for example ${POSTHOG_PERSONAL_API_KEY}), and rotate it if it was ever committed.");

    public static readonly Rule EnvFileCommitted = new(
        "env-file-committed",
        "A .env file is tracked by git",
        Severity.High,
        "Remove it from the index (git rm --cached FILE), add it to .gitignore, commit a .env.example with placeholder values instead, and rotate any key it held.");

    public static readonly Rule GitignoreMissingEnv = new(
        "gitignore-env-missing",
        ".gitignore does not ignore .env files",
        Severity.Medium,
        "Add these lines to .gitignore: .env, .env.local and .env.*.local.");

    /// <summary>Every rule, in report order.</summary>
    public static IReadOnlyList<Rule> All { get; } =
        [PersonalApiKey, ProjectSecretApiKey, OAuthAccessToken, OAuthRefreshToken, ProjectApiKey, SettingLiteral, EnvFileCommitted, GitignoreMissingEnv];

    /// <summary>The rule for a token kind.</summary>
    public static Rule ForKind(PostHogTokenKind kind) => kind switch
    {
        PostHogTokenKind.PersonalApiKey => PersonalApiKey,
        PostHogTokenKind.ProjectSecretApiKey => ProjectSecretApiKey,
        PostHogTokenKind.OAuthAccessToken => OAuthAccessToken,
        PostHogTokenKind.OAuthRefreshToken => OAuthRefreshToken,
        PostHogTokenKind.ProjectApiKey => ProjectApiKey,
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };
}
