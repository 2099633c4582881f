using System.Text.Json;
using System.Text.RegularExpressions;
using HogGuard.Configuration;
using HogGuard.Sources;

namespace HogGuard.Setup;

/// <summary>A key <c>hogguard init</c> proposes: where it lives (never its value), what it is for and where that was seen.</summary>
internal sealed record ProposedKey(string Environment, string Name, string Source, KeyPurpose Purpose, string FoundIn, bool Guessed);

/// <summary>What <c>hogguard init</c> found in a repository.</summary>
internal sealed record Survey(IReadOnlyList<ProposedKey> Keys, IReadOnlyList<string> UserSecretsIds, IReadOnlyList<string> Examined);

/// <summary>
/// Looks through a repository for the places PostHog keys are configured: <c>.env*</c> files and
/// templates, <c>appsettings*.json</c> PostHog sections, user-secrets ids in project files and
/// <c>POSTHOG_*</c> settings in CI files. It reads names; of a value only the token prefix
/// (<c>phx_</c>, <c>phs_</c>, <c>phc_</c>), to tell a key's purpose, and keeps nothing else.
/// </summary>
internal static partial class RepositorySurvey
{
    private const int MaxFiles = 20_000;
    private const long MaxFileBytes = 1024 * 1024;
    private static readonly string[] SkippedFolders = [".git", "node_modules", "bin", "obj", ".hogguard", "vendor", ".venv", "dist", "build"];
    private static readonly string[] CiFiles = [".gitlab-ci.yml", "azure-pipelines.yml", "bitbucket-pipelines.yml", "Jenkinsfile", ".travis.yml"];

    public static Survey Run(string root)
    {
        var keys = new List<ProposedKey>();
        var userSecrets = new List<string>();
        var examined = new List<string>();
        foreach (var path in Files(root))
        {
            var relative = Path.GetRelativePath(root, path).Replace('\\', '/');
            var name = Path.GetFileName(path);
            if (!Interesting(relative))
            {
                continue;
            }

            string text;
            try
            {
                // Regular files only, checked on the opened handle: a FIFO named .env never blocks init.
                text = HogGuard.IO.RegularFile.ReadAllText(path, MaxFileBytes);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue;
            }

            var before = keys.Count + userSecrets.Count;
            if (EnvFiles.IsEnvFile(relative))
            {
                FromEnvFile(relative, text, keys);
            }
            else if (name.StartsWith("appsettings", StringComparison.OrdinalIgnoreCase) && name.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
            {
                FromAppSettings(relative, text, keys);
            }
            else if (name.EndsWith(".csproj", StringComparison.OrdinalIgnoreCase) && UserSecretsId().Match(text) is { Success: true } id)
            {
                userSecrets.Add(id.Groups[1].Value.Trim());
            }
            else if (IsCiFile(relative))
            {
                foreach (var variable in PostHogVariable().Matches(text).Select(m => m.Value).Distinct(StringComparer.Ordinal))
                {
                    Add(keys, "ci", variable, $"env:{variable}", null, relative);
                }
            }

            if (keys.Count + userSecrets.Count > before)
            {
                examined.Add(relative);
            }
        }

        // appsettings keys without a value live elsewhere: user secrets in development, the environment otherwise.
        var resolved = keys.Select(k => k.Source.StartsWith("unset:", StringComparison.Ordinal) ? Resolve(k, userSecrets) : k).ToList();
        return new Survey(Deduplicate(resolved), userSecrets.Distinct(StringComparer.Ordinal).ToList(), examined);
    }

    private static ProposedKey Resolve(ProposedKey key, List<string> userSecrets)
    {
        var setting = key.Source["unset:".Length..];
        return key.Environment == "development" && userSecrets.Count > 0
            ? key with { Source = $"user-secrets:{userSecrets[0]}#{setting}" }
            : key with { Source = $"env:{setting.Replace(":", "__", StringComparison.Ordinal)}" };
    }

    private static void FromEnvFile(string relative, string text, List<ProposedKey> keys)
    {
        var template = EnvFiles.IsTemplate(relative);
        var environment = EnvironmentOf(Path.GetFileName(relative).Split('.', StringSplitOptions.RemoveEmptyEntries).Skip(1).FirstOrDefault(p => !IsSuffix(p)));
        foreach (var line in text.Split('\n'))
        {
            var match = EnvLine().Match(line);
            if (!match.Success || !match.Groups[1].Value.Contains("POSTHOG", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var variable = match.Groups[1].Value;
            var prefix = Prefix(match.Groups[2].Value);
            Add(keys, environment, variable, template ? $"env:{variable}" : $"dotenv:{relative}#{variable}", prefix, relative);
        }
    }

    private static void FromAppSettings(string relative, string text, List<ProposedKey> keys)
    {
        JsonElement section;
        try
        {
            using var document = JsonDocument.Parse(text, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            var found = document.RootElement.ValueKind == JsonValueKind.Object
                ? document.RootElement.EnumerateObject().FirstOrDefault(p => p.Name.Equals("PostHog", StringComparison.OrdinalIgnoreCase))
                : default;
            if (found.Value.ValueKind != JsonValueKind.Object)
            {
                return;
            }

            section = found.Value.Clone();
            var parts = Path.GetFileNameWithoutExtension(relative).Split('.');
            var environment = parts.Length > 1 ? EnvironmentOf(parts[1]) : "development";
            foreach (var setting in section.EnumerateObject())
            {
                if (!KeySetting().IsMatch(setting.Name))
                {
                    continue;
                }

                var value = setting.Value.ValueKind == JsonValueKind.String ? setting.Value.GetString() ?? string.Empty : string.Empty;
                var path = $"{found.Name}:{setting.Name}";
                Add(keys, environment, setting.Name, value.Length > 0 ? $"json:{relative}#{path}" : $"unset:{path}", Prefix(value), relative);
            }
        }
        catch (JsonException)
        {
        }
    }

    private static void Add(List<ProposedKey> keys, string environment, string variable, string source, string? prefix, string foundIn)
    {
        if (Purpose(variable, prefix) is not var (purpose, guessed))
        {
            return;
        }

        keys.Add(new ProposedKey(environment, NameOf(variable), source, purpose, foundIn, guessed));
    }

    /// <summary>What a setting is for, from its token prefix when there is one, else its name; null for settings that are not keys (hosts, ids).</summary>
    private static (KeyPurpose, bool Guessed)? Purpose(string variable, string? prefix)
    {
        var upper = variable.ToUpperInvariant();
        if (upper.EndsWith("HOST", StringComparison.Ordinal) || upper.EndsWith("URL", StringComparison.Ordinal) || upper.EndsWith("_ID", StringComparison.Ordinal) || upper.EndsWith("PROJECTID", StringComparison.Ordinal) || upper.Contains("WEBHOOK", StringComparison.Ordinal))
        {
            return null;
        }

        return prefix switch
        {
            "phc_" => (KeyPurpose.Capture, false),
            "phs_" => (KeyPurpose.Flags, false),
            _ when upper.Contains("READ", StringComparison.Ordinal) => (KeyPurpose.Reader, false),
            _ when upper.Contains("WRITE", StringComparison.Ordinal) => (KeyPurpose.Writer, false),
            _ when upper.Contains("SECRET", StringComparison.Ordinal) || upper.Contains("FLAG", StringComparison.Ordinal) => (KeyPurpose.Flags, prefix is null),
            _ when upper.Contains("PROJECT", StringComparison.Ordinal) && upper.Contains("TOKEN", StringComparison.Ordinal) => (KeyPurpose.Capture, false),
            _ when prefix is "phx_" || upper.Contains("KEY", StringComparison.Ordinal) || upper.Contains("TOKEN", StringComparison.Ordinal) => (KeyPurpose.Reader, true),
            _ => null,
        };
    }

    private static string? Prefix(string value)
    {
        var trimmed = value.Trim().Trim('"', '\'');
        return trimmed.Length >= 4 && trimmed[..4] is "phx_" or "phs_" or "phc_" or "pha_" ? trimmed[..4] : null;
    }

    /// <summary>POSTHOG_READER_KEY and ReaderKey both become reader-key.</summary>
    private static string NameOf(string variable)
    {
        var words = Words().Matches(variable.Replace("POSTHOG", string.Empty, StringComparison.OrdinalIgnoreCase).Replace("PostHog", string.Empty, StringComparison.Ordinal))
            .Select(m => m.Value.ToLowerInvariant()).ToList();
        return words.Count == 0 ? "key" : string.Join('-', words);
    }

    private static string EnvironmentOf(string? part) => part?.ToLowerInvariant() switch
    {
        null or "" or "local" or "development" or "dev" => "development",
        "prod" or "production" => "production",
        "stage" or "staging" => "staging",
        "test" or "testing" or "ci" => "test",
        var other => other,
    };

    private static bool IsSuffix(string part) => part.Equals("local", StringComparison.OrdinalIgnoreCase) || EnvFiles.IsTemplate("." + part);

    private static bool Interesting(string relative)
    {
        var name = Path.GetFileName(relative);
        return EnvFiles.IsEnvFile(relative)
            || (name.StartsWith("appsettings", StringComparison.OrdinalIgnoreCase) && name.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
            || name.EndsWith(".csproj", StringComparison.OrdinalIgnoreCase)
            || IsCiFile(relative);
    }

    private static bool IsCiFile(string relative) =>
        (relative.StartsWith(".github/workflows/", StringComparison.Ordinal) && (relative.EndsWith(".yml", StringComparison.Ordinal) || relative.EndsWith(".yaml", StringComparison.Ordinal)))
        || relative == ".circleci/config.yml"
        || CiFiles.Contains(relative, StringComparer.Ordinal);

    private static List<ProposedKey> Deduplicate(List<ProposedKey> keys)
    {
        var result = new List<ProposedKey>();
        foreach (var group in keys.GroupBy(k => (k.Environment, k.Source)))
        {
            var key = group.First();
            var name = key.Name;
            for (var n = 2; result.Any(k => k.Environment == key.Environment && k.Name == name); n++)
            {
                name = $"{key.Name}-{n}";
            }

            result.Add(key with { Name = name });
        }

        return result;
    }

    private static IEnumerable<string> Files(string root)
    {
        var count = 0;
        var pending = new Stack<string>([root]);
        while (pending.Count > 0 && count < MaxFiles)
        {
            var folder = pending.Pop();
            IEnumerable<string> entries;
            try
            {
                entries = Directory.EnumerateFileSystemEntries(folder).Order(StringComparer.Ordinal).ToList();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue;
            }

            foreach (var entry in entries)
            {
                var info = new FileInfo(entry);
                if (info.LinkTarget is not null)
                {
                    continue;
                }

                if (Directory.Exists(entry))
                {
                    if (!SkippedFolders.Contains(Path.GetFileName(entry), StringComparer.Ordinal))
                    {
                        pending.Push(entry);
                    }
                }
                else if (count++ < MaxFiles)
                {
                    yield return entry;
                }
            }
        }
    }

    [GeneratedRegex(@"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$")]
    private static partial Regex EnvLine();

    [GeneratedRegex(@"<UserSecretsId>([^<]+)</UserSecretsId>")]
    private static partial Regex UserSecretsId();

    [GeneratedRegex(@"\bPOSTHOG_[A-Z0-9_]+\b")]
    private static partial Regex PostHogVariable();

    [GeneratedRegex(@"(Key|Token|Secret)$", RegexOptions.IgnoreCase)]
    private static partial Regex KeySetting();

    [GeneratedRegex(@"[A-Z]?[a-z0-9]+|[A-Z0-9]+(?![a-z])")]
    private static partial Regex Words();
}
