using System.Text.Json;
using System.Text.Json.Nodes;

namespace HogGuard.SecretStores;

/// <summary>
/// A key in a JSON settings file or a user-secrets <c>secrets.json</c>, at a .NET configuration path
/// (<c>PostHog:SecretKey</c>): a flat property with that name when the file has one (user-secrets
/// style), else nested objects. The slots are siblings (<c>SecretKey_NEXT</c>, <c>SecretKey_PREVIOUS</c>).
/// Property order and every other value are kept; a file with comments is refused rather than
/// rewritten without them.
/// </summary>
internal sealed class JsonSecretStore(string description, string path, string name) : ISecretStore
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public string Description => description;

    public bool CanWrite => true;

    public SecretSlots Read()
    {
        var bytes = SecretStoreFactory.ReadBytes(path);
        var root = Parse(bytes, forWriting: false);
        var (parent, key) = Locate(root, create: false);
        return new SecretSlots(Get(parent, key), Get(parent, key + SecretStoreFactory.NextSuffix), Get(parent, key + SecretStoreFactory.PreviousSuffix), SecretStoreFactory.VersionOf(bytes));
    }

    public void Write(SecretSlots basis, string? current, string? next, string? previous)
    {
        ArgumentNullException.ThrowIfNull(basis);
        var bytes = SecretStoreFactory.ReadBytes(path);
        var root = Parse(bytes, forWriting: true) ?? new JsonObject();
        var (parent, key) = Locate(root, create: true);
        Set(parent!, key, current);
        Set(parent!, key + SecretStoreFactory.NextSuffix, next);
        Set(parent!, key + SecretStoreFactory.PreviousSuffix, previous);
        var text = root.ToJsonString(Indented) + Environment.NewLine;
        SecretStoreFactory.WriteChecked(path, basis, System.Text.Encoding.UTF8.GetBytes(text));
    }

    private JsonObject? Parse(byte[]? bytes, bool forWriting)
    {
        if (bytes is null || bytes.Length == 0)
        {
            return null;
        }

        try
        {
            var node = JsonNode.Parse(bytes, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            if (forWriting && HasComments(bytes))
            {
                throw new InvalidDataException($"{path} has comments, which rewriting it would lose; move the key to a file without comments (or remove them) and run again");
            }

            return node as JsonObject ?? throw new InvalidDataException($"{path} does not hold a JSON object");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path} is not valid JSON ({e.Message}); fix it and run again", e);
        }
    }

    private static bool HasComments(byte[] bytes)
    {
        var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Allow, AllowTrailingCommas = true });
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.Comment)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The object that holds the key and the key's own name in it.</summary>
    private (JsonObject? Parent, string Key) Locate(JsonObject? root, bool create)
    {
        if (root is null || root.ContainsKey(name) || !name.Contains(':', StringComparison.Ordinal))
        {
            return (root, name);
        }

        var parts = name.Split(':');
        var current = root;
        foreach (var part in parts[..^1])
        {
            var existing = current.FirstOrDefault(p => string.Equals(p.Key, part, StringComparison.OrdinalIgnoreCase));
            if (existing.Value is JsonObject child)
            {
                current = child;
            }
            else if (existing.Value is null && !create)
            {
                return (null, parts[^1]);
            }
            else if (existing.Value is null)
            {
                current = (JsonObject)(current[existing.Key ?? part] = new JsonObject());
            }
            else
            {
                throw new InvalidDataException($"{path}: '{existing.Key}' is not an object, so '{name}' cannot be stored under it");
            }
        }

        var last = current.FirstOrDefault(p => string.Equals(p.Key, parts[^1], StringComparison.OrdinalIgnoreCase)).Key ?? parts[^1];
        return (current, last);
    }

    private static string? Get(JsonObject? parent, string key) =>
        parent?.FirstOrDefault(p => string.Equals(p.Key, key, StringComparison.OrdinalIgnoreCase)).Value is JsonValue value && value.TryGetValue<string>(out var text) && text.Length > 0 ? text : null;

    private static void Set(JsonObject parent, string key, string? value)
    {
        var existing = parent.FirstOrDefault(p => string.Equals(p.Key, key, StringComparison.OrdinalIgnoreCase)).Key;
        if (value is null)
        {
            if (existing is not null)
            {
                parent.Remove(existing);
            }

            return;
        }

        parent[existing ?? key] = JsonValue.Create(value);
    }
}
