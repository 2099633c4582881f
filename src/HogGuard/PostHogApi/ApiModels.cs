using System.Text.Json.Serialization;

namespace HogGuard.PostHogApi;

/// <summary>A personal API key as <c>@current</c> describes it (never with its value).</summary>
public sealed class PersonalApiKeyInfo
{
    public string? Id { get; init; }

    public string? Label { get; init; }

    public string? MaskValue { get; init; }

    public List<string> Scopes { get; init; } = [];

    public List<int>? ScopedTeams { get; init; }

    public List<string>? ScopedOrganizations { get; init; }

    public DateTimeOffset? CreatedAt { get; init; }

    public DateTimeOffset? LastUsedAt { get; init; }

    public DateTimeOffset? LastRolledAt { get; init; }
}

/// <summary>The answer of <c>/api/revoke_leaked_key</c>.</summary>
public sealed class RevokeResult
{
    public bool Found { get; init; }

    public string? Type { get; init; }
}

/// <summary>The part of <c>/api/users/@me/</c> HogGuard uses.</summary>
public sealed class UserInfo
{
    public string? Email { get; init; }
}

/// <summary>The part of a project HogGuard uses.</summary>
public sealed class ProjectInfo
{
    public int Id { get; init; }

    public string? Name { get; init; }

    /// <summary>The project's public <c>phc_</c> token.</summary>
    public string? ApiToken { get; init; }
}

/// <summary>A project secret API key (<c>phs_</c>); <see cref="Value"/> only in the answer to create or roll.</summary>
public sealed class SecretApiKeyInfo
{
    public string? Id { get; init; }

    public string? Label { get; init; }

    public string? Value { get; init; }

    public string? MaskValue { get; init; }

    public List<string> Scopes { get; init; } = [];

    public DateTimeOffset? CreatedAt { get; init; }

    public DateTimeOffset? LastUsedAt { get; init; }

    public DateTimeOffset? LastRolledAt { get; init; }

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
