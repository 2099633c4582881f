using System.Text.Json;

namespace HogGuard.Policy;

/// <summary>Reads a key from where <c>hogguard.yml</c> says it lives. Failures are values (the audit reports them).</summary>
public sealed class KeySourceReader
{
    private readonly string _baseDirectory;
    private readonly Func<string, string?> _environment;
    private readonly string _userSecretsRoot;

    /// <param name="baseDirectory">The configuration file's folder; relative paths start there.</param>
    /// <param name="environment">Reads an environment variable (injected so tests and services can supply their own).</param>
    /// <param name="userSecretsRoot">The user-secrets folder; default as .NET's user secrets use it.</param>
    public KeySourceReader(string baseDirectory, Func<string, string?>? environment = null, string? userSecretsRoot = null)
    {
        _baseDirectory = baseDirectory;
        _environment = environment ?? Environment.GetEnvironmentVariable;
        _userSecretsRoot = userSecretsRoot ?? DefaultUserSecretsRoot();
    }

    /// <summary>The value, or why it could not be read.</summary>
    public (string? Value, string? Problem) Read(KeySource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        try
        {
            var value = source.Scheme switch
            {
                "env" => _environment(source.Location),
                "dotenv" => ReadDotenv(Resolve(source.Location), source.Name!),
                "json" => ReadJson(Resolve(source.Location), source.Name!),
                "user-secrets" => ReadJson(Path.Combine(_userSecretsRoot, source.Location, "secrets.json"), source.Name!),
                _ => throw new InvalidDataException($"unknown source '{source.Scheme}'"),
            };
            return string.IsNullOrWhiteSpace(value) ? (null, $"{source} is not set") : (value.Trim(), null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or InvalidDataException)
        {
            return (null, $"{source} cannot be read: {e.Message}");
        }
    }

    private string Resolve(string path) => Path.GetFullPath(Path.Combine(_baseDirectory, path));

    /// <summary><c>NAME=value</c> lines, with optional <c>export</c>, quotes and trailing comments.</summary>
    internal static string? ReadDotenv(string path, string name)
    {
        foreach (var raw in File.ReadLines(path))
        {
            var line = raw.Trim();
            if (line.StartsWith("export ", StringComparison.Ordinal))
            {
                line = line[7..].TrimStart();
            }

            var equals = line.IndexOf('=', StringComparison.Ordinal);
            if (line.StartsWith('#') || equals <= 0 || line[..equals].Trim() != name)
            {
                continue;
            }

            var value = line[(equals + 1)..].Trim();
            if (value.Length >= 2 && (value[0] is '"' or '\'') && value.IndexOf(value[0], 1) is var end and > 0)
            {
                return value[1..end];
            }

            var comment = value.IndexOf(" #", StringComparison.Ordinal);
            return comment >= 0 ? value[..comment].Trim() : value;
        }

        return null;
    }

    /// <summary><c>Section:Key</c> as .NET configuration reads JSON: nested objects, or a flat name with colons.</summary>
    internal static string? ReadJson(string path, string name)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        if (document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty(name, out var flat) && flat.ValueKind == JsonValueKind.String)
        {
            return flat.GetString();
        }

        var current = document.RootElement;
        foreach (var part in name.Split(':'))
        {
            if (current.ValueKind != JsonValueKind.Object || !TryGetIgnoreCase(current, part, out current))
            {
                return null;
            }
        }

        return current.ValueKind == JsonValueKind.String ? current.GetString() : null;
    }

    private static bool TryGetIgnoreCase(JsonElement element, string name, out JsonElement value)
    {
        foreach (var property in element.EnumerateObject())
        {
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                value = property.Value;
                return true;
            }
        }

        value = default;
        return false;
    }

    internal static string DefaultUserSecretsRoot() => OperatingSystem.IsWindows()
        ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.ApplicationData), "Microsoft", "UserSecrets")
        : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".microsoft", "usersecrets");
}
