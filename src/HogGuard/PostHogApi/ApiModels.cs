using System.Text.Json.Serialization;

namespace HogGuard.PostHogApi;

/// <summary>A personal API key as <c>@current</c> describes it (never with its value).</summary>
public sealed class PersonalApiKeyInfo
{
    /// <summary>PostHog's id of the key.</summary>
    public string? Id { get; init; }

    /// <summary>The key's label.</summary>
    public string? Label { get; init; }

    /// <summary>PostHog's mask of the key.</summary>
    public string? MaskValue { get; init; }

    /// <summary>The key's scopes.</summary>
    public List<string> Scopes { get; init; } = [];

    /// <summary>The projects the key is limited to; null or empty for all.</summary>
    public List<int>? ScopedTeams { get; init; }

    /// <summary>The organisations the key is limited to; null or empty for all.</summary>
    public List<string>? ScopedOrganizations { get; init; }

    /// <summary>When the key was created.</summary>
    public DateTimeOffset? CreatedAt { get; init; }

    /// <summary>When PostHog last saw the key used.</summary>
    public DateTimeOffset? LastUsedAt { get; init; }

    /// <summary>When the key was last rolled.</summary>
    public DateTimeOffset? LastRolledAt { get; init; }
}

/// <summary>The answer of <c>/api/revoke_leaked_key</c>.</summary>
public sealed class RevokeResult
{
    /// <summary>Whether PostHog knew the key.</summary>
    public bool Found { get; init; }

    /// <summary>What kind of key PostHog found (<c>personal_api_key</c>, <c>project_secret_api_key</c>, ...).</summary>
    public string? Type { get; init; }
}

/// <summary>The part of <c>/api/users/@me/</c> HogGuard uses.</summary>
public sealed class UserInfo
{
    /// <summary>The user's email address.</summary>
    public string? Email { get; init; }
}

/// <summary>The part of a project HogGuard uses.</summary>
public sealed class ProjectInfo
{
    /// <summary>The project's id.</summary>
    public int Id { get; init; }

    /// <summary>The project's name.</summary>
    public string? Name { get; init; }

    /// <summary>The project's public <c>phc_</c> token.</summary>
    public string? ApiToken { get; init; }
}

/// <summary>A project secret API key (<c>phs_</c>); <see cref="Value"/> only in the answer to create or roll.</summary>
public sealed class SecretApiKeyInfo
{
    /// <summary>PostHog's id of the key.</summary>
    public string? Id { get; init; }

    /// <summary>The key's label.</summary>
    public string? Label { get; init; }

    /// <summary>The key itself: only in the answer that created or rolled it.</summary>
    public string? Value { get; init; }

    /// <summary>PostHog's mask of the key.</summary>
    public string? MaskValue { get; init; }

    /// <summary>The key's scopes.</summary>
    public List<string> Scopes { get; init; } = [];

    /// <summary>When the key was created.</summary>
    public DateTimeOffset? CreatedAt { get; init; }

    /// <summary>When PostHog last saw the key used.</summary>
    public DateTimeOffset? LastUsedAt { get; init; }

    /// <summary>When the key was last rolled.</summary>
    public DateTimeOffset? LastRolledAt { get; init; }

    /// <inheritdoc/>
    public override string ToString() => $"{Id} {Label} {MaskValue}";
}

internal sealed class SecretKeyRequestBody
{
    public required string Label { get; init; }

    public required List<string> Scopes { get; init; }
}

internal sealed class PostHogError
{
    public string? Type { get; init; }

    public string? Code { get; init; }

    public string? Detail { get; init; }
}

internal sealed class RevokeRequestBody
{
    public required string Token { get; init; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, PropertyNameCaseInsensitive = true)]
[JsonSerializable(typeof(PersonalApiKeyInfo))]
[JsonSerializable(typeof(RevokeResult))]
[JsonSerializable(typeof(UserInfo))]
[JsonSerializable(typeof(PostHogError))]
[JsonSerializable(typeof(RevokeRequestBody))]
[JsonSerializable(typeof(ProjectInfo))]
[JsonSerializable(typeof(System.Text.Json.JsonElement))]
[JsonSerializable(typeof(SecretApiKeyInfo))]
[JsonSerializable(typeof(SecretKeyRequestBody))]
internal sealed partial class ApiJsonContext : JsonSerializerContext;
