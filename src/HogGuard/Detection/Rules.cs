using HogGuard.Keys;

namespace HogGuard.Detection;

/// <summary>The catalogue of rules HogGuard reports.</summary>
public static class Rules
{
    private const string RevokeHint = " If it was ever pushed, treat it as leaked even after deleting it: history keeps it.";

    /// <summary>A personal API key (<c>phx_</c>) in a file or in history.</summary>
    public static readonly Rule PersonalApiKey = new(
        "posthog-personal-api-key",
        "PostHog personal API key (phx_)",
        Severity.Critical,
        "Roll the key in PostHog (Settings > Personal API keys > Roll), move the new value into the environment or a secret store, and remove it from the code." + RevokeHint);

    /// <summary>A project secret API key (<c>phs_</c>) in a file or in history.</summary>
    public static readonly Rule ProjectSecretApiKey = new(
        "posthog-project-secret-api-key",
        "PostHog project secret API key (phs_)",
        Severity.Critical,
        "Roll the key in PostHog (Project settings > Secret API keys, or POST /api/projects/{id}/project_secret_api_keys/{key}/roll/), store the new value outside git, and remove it from the code." + RevokeHint);

    /// <summary>An OAuth access token (<c>pha_</c>).</summary>
    public static readonly Rule OAuthAccessToken = new(
        "posthog-oauth-access-token",
        "PostHog OAuth access token (pha_)",
        Severity.High,
        "Revoke the token (POST /api/revoke_leaked_key on the US and EU hosts, or remove the app's authorisation) and keep tokens out of source files." + RevokeHint);

    /// <summary>An OAuth refresh token (<c>phr_</c>).</summary>
    public static readonly Rule OAuthRefreshToken = new(
        "posthog-oauth-refresh-token",
        "PostHog OAuth refresh token (phr_)",
        Severity.High,
        "Revoke the token (POST /api/revoke_leaked_key on the US and EU hosts, or remove the app's authorisation) and keep tokens out of source files." + RevokeHint);

    /// <summary>The public project token (<c>phc_</c>): reported at low severity.</summary>
    public static readonly Rule ProjectApiKey = new(
        "posthog-project-api-key",
        "PostHog project API key (phc_, public by design)",
        Severity.Low,
        "No action needed for a key that is meant to ship to browsers and apps; if this project should not receive events from here, reset the project token in PostHog.");

    /// <summary>A <c>POSTHOG_*</c> key setting that holds a literal value.</summary>
    public static readonly Rule SettingLiteral = new(
        "posthog-setting-literal",
        "A POSTHOG_* key, secret or token setting holds a literal value",
        Severity.High,
        "Read the value from the environment or a secret store instead (for example ${POSTHOG_PERSONAL_API_KEY}), and rotate it if it was ever committed.");

    /// <summary>A <c>.env</c> file tracked by git.</summary>
    public static readonly Rule EnvFileCommitted = new(
        "env-file-committed",
        "A .env file is tracked by git",
        Severity.High,
        "Remove it from the index (git rm --cached FILE), add it to .gitignore, commit a .env.example with placeholder values instead, and rotate any key it held.");

    /// <summary>A <c>.gitignore</c> that does not ignore <c>.env</c> files.</summary>
    public static readonly Rule GitignoreMissingEnv = new(
        "gitignore-env-missing",
        ".gitignore does not ignore .env files",
        Severity.Medium,
        "Add these lines to .gitignore: .env, .env.local and .env.*.local.");

    private const string RotateHint = " Rotate personal keys in PostHog (Settings > Personal API keys > Roll) and project secret keys with 'hogguard keys rotate' or Project settings > Secret API keys.";

    /// <summary>A key hogguard.yml names cannot be read from its source.</summary>
    public static readonly Rule KeyMissing = new("key-missing", "A key the configuration names is missing or its source cannot be read", Severity.High, "Set the key where hogguard.yml says it lives, or correct the source.");

    /// <summary>A key of the wrong kind for its purpose.</summary>
    public static readonly Rule KeyWrongKind = new("key-wrong-kind", "A key of the wrong kind for its purpose", Severity.High, "Use a phc_ project key for capture, a phx_ personal key for reader and writer, a phs_ project secret key (or a personal key) for flags.");

    /// <summary>PostHog refuses the key.</summary>
    public static readonly Rule KeyInvalid = new("key-invalid", "A configured key is not accepted by PostHog (revoked, rolled or mistyped)", Severity.Critical, "Create or roll the key in PostHog and update where it lives; the app using it is failing.");

    /// <summary>A key holds every scope (<c>*</c>).</summary>
    public static readonly Rule KeyWildcardScope = new("key-wildcard-scope", "A key holds every scope (*)", Severity.High, "Create a key with only the scopes this purpose needs, then delete the all-access key." + RotateHint);

    /// <summary>A key holds scopes beyond its policy.</summary>
    public static readonly Rule KeyExcessScopes = new("key-excess-scopes", "A key holds scopes beyond its policy", Severity.High, "Remove the extra scopes in PostHog (edit the key), or widen the policy in hogguard.yml if they are needed.");

    /// <summary>A key is older than its <c>max_age_days</c>.</summary>
    public static readonly Rule KeyRotationOverdue = new("key-rotation-overdue", "A key is older than its max_age_days", Severity.High, "Rotate the key now." + RotateHint);

    /// <summary>A key's rotation is due within the warning window.</summary>
    public static readonly Rule KeyRotationDueSoon = new("key-rotation-due-soon", "A key falls due for rotation soon", Severity.Low, "Plan the rotation before the due date." + RotateHint);

    /// <summary>A key was not used for longer than the unused window.</summary>
    public static readonly Rule KeyUnused = new("key-unused", "A key has not been used recently (or ever)", Severity.Medium, "Delete keys nothing uses; a forgotten key is a leak waiting to happen.");

    /// <summary>One key serves several environments.</summary>
    public static readonly Rule KeySharedAcrossEnvironments = new("key-shared-across-environments", "One key serves several environments", Severity.High, "Give each environment its own key, so one leak or rotation touches one environment.");

    /// <summary>An environment's reader and writer are one key.</summary>
    public static readonly Rule KeyReaderWriterShared = new("key-reader-writer-shared", "The reader and the writer share one key", Severity.High, "Use separate reader and writer keys, the reader holding only read scopes.");

    /// <summary>A key the policy wants limited to projects is not.</summary>
    public static readonly Rule KeyNotProjectScoped = new("key-not-project-scoped", "A key is not limited to projects though its policy requires it", Severity.Medium, "Limit the key to the projects it needs (PostHog: edit the key, Projects).");

    /// <summary>Every rule, in report order.</summary>
    public static IReadOnlyList<Rule> All { get; } =
        [PersonalApiKey, ProjectSecretApiKey, OAuthAccessToken, OAuthRefreshToken, ProjectApiKey, SettingLiteral, EnvFileCommitted, GitignoreMissingEnv,
         KeyMissing, KeyWrongKind, KeyInvalid, KeyWildcardScope, KeyExcessScopes, KeyRotationOverdue, KeyRotationDueSoon, KeyUnused,
         KeySharedAcrossEnvironments, KeyReaderWriterShared, KeyNotProjectScoped];

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
