using System.Text.Json.Serialization;

namespace HogGuard.Emulator;

/// <summary>PostHog's error body: <c>{"type","code","detail","attr"}</c>.</summary>
internal sealed record ErrorBody(string Type, string Code, string Detail, string? Attr = null);

internal sealed record PersonalKeyBody(
    string Id, string Label, string? Value, string MaskValue, DateTimeOffset CreatedAt, DateTimeOffset? LastUsedAt,
    int? UserId, List<string> Scopes, List<int>? ScopedTeams, List<string>? ScopedOrganizations, DateTimeOffset? LastRolledAt);

internal sealed record OrganizationBody(Guid Id, string Name, string Slug);

internal sealed record TeamBody(int Id, Guid Uuid, Guid Organization, int ProjectId, string ApiToken, string Name);

internal sealed record UserBody(Guid Uuid, string DistinctId, string Email, TeamBody Team, OrganizationBody Organization, List<OrganizationBody> Organizations);

internal sealed record ProjectBody(int Id, Guid Uuid, Guid Organization, string ApiToken, string Name);

internal sealed record RevokeRequest(string? Token);

internal sealed record RevokeBody(bool Found, string? Type);

internal sealed record FlagDefinitionsBody(List<object> Flags, Dictionary<string, string> GroupTypeMapping, Dictionary<string, object> Cohorts);

internal sealed record CaptureOkBody(string Status);

internal sealed record RemoteFlagsBody(Dictionary<string, object> Flags, bool ErrorsWhileComputingFlags);

internal sealed record KeyRequest(string? Label, List<string>? Scopes, List<int>? ScopedTeams);

internal sealed record SecretKeyBody(string Id, string Label, string? Value, string MaskValue, DateTimeOffset CreatedAt, string? CreatedBy, DateTimeOffset? LastUsedAt, DateTimeOffset? LastRolledAt, List<string> Scopes);

internal sealed record SecretTokenBody(int Id, string? SecretApiToken, string? SecretApiTokenBackup);

internal sealed record ItemRequest(string? Key, string? Name);

internal sealed record QueryBody(List<object> Results, string QueryId);

internal sealed record ItemBody(int Id, string Name);

internal sealed record EventBody(string ApiKey, string Event, string DistinctId, string? Uuid, string? Timestamp, DateTimeOffset ReceivedAt);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, PropertyNameCaseInsensitive = true, ReadCommentHandling = System.Text.Json.JsonCommentHandling.Skip, AllowTrailingCommas = true)]
[JsonSerializable(typeof(ErrorBody))]
[JsonSerializable(typeof(PersonalKeyBody))]
[JsonSerializable(typeof(List<PersonalKeyBody>))]
[JsonSerializable(typeof(UserBody))]
[JsonSerializable(typeof(ProjectBody))]
[JsonSerializable(typeof(RevokeRequest))]
[JsonSerializable(typeof(RevokeBody))]
[JsonSerializable(typeof(FlagDefinitionsBody))]
[JsonSerializable(typeof(CaptureOkBody))]
[JsonSerializable(typeof(RemoteFlagsBody))]
[JsonSerializable(typeof(KeyRequest))]
[JsonSerializable(typeof(SecretKeyBody))]
[JsonSerializable(typeof(List<SecretKeyBody>))]
[JsonSerializable(typeof(PageBody<SecretKeyBody>))]
[JsonSerializable(typeof(PageBody<ProjectBody>))]
[JsonSerializable(typeof(SecretTokenBody))]
[JsonSerializable(typeof(ItemRequest))]
[JsonSerializable(typeof(QueryBody))]
[JsonSerializable(typeof(ItemBody))]
[JsonSerializable(typeof(List<ItemBody>))]
[JsonSerializable(typeof(List<EventBody>))]
[JsonSerializable(typeof(List<FaultRule>))]
[JsonSerializable(typeof(SeedFile))]
internal sealed partial class EmulatorJson : JsonSerializerContext
{
    /// <summary>Writes quotes and non-ASCII as they are, as PostHog (Django) does.</summary>
    public static EmulatorJson Relaxed { get; } = new(new System.Text.Json.JsonSerializerOptions
    {
        PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.SnakeCaseLower,
        PropertyNameCaseInsensitive = true,
        ReadCommentHandling = System.Text.Json.JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}
