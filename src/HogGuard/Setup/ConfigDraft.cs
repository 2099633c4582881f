using System.Globalization;
using System.Text;
using HogGuard.Configuration;

namespace HogGuard.Setup;

/// <summary>Writes the <c>hogguard.yml</c> that <c>hogguard init</c> proposes: commented, every key by its source, never a value.</summary>
internal static class ConfigDraft
{
    /// <summary>The scopes a purpose starts from; the comment asks to narrow them.</summary>
    public static string[] ScopesFor(KeyPurpose purpose) => purpose switch
    {
        KeyPurpose.Reader => ["insight:read", "query:read"],
        KeyPurpose.Writer => ["insight:write"],
        KeyPurpose.Flags => ["feature_flag:read"],
        _ => [],
    };

    public static string Render(Survey survey, DateOnly today)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"# hogguard.yml, proposed by 'hogguard init' on {today:yyyy-MM-dd} from what this repository holds.");
        text.AppendLine("# It says where each key lives (env:, dotenv:, user-secrets:, json:), never a key itself.");
        text.AppendLine("# Review every line: purposes and scopes are guesses from names; narrow each key's scopes to");
        text.AppendLine("# what its service calls, then run 'hogguard keys audit' and 'hogguard check .'.");
        text.AppendLine("# Reference: the README's \"hogguard.yml\" and \"Key audit\" sections; schema: schemas/hogguard.schema.json");
        text.AppendLine();
        text.AppendLine("scan:");
        text.AppendLine("  max_file_size: 100MB");
        text.AppendLine("  # allow_paths: [\"tests/**/Fixtures/**\"]   # findings under these paths are not reported");
        text.AppendLine("  # baseline: .hogguard-baseline.json        # hogguard scan . --history --write-baseline .hogguard-baseline.json");
        text.AppendLine();
        if (survey.Keys.Count == 0)
        {
            text.AppendLine("# No PostHog keys were found in .env files, appsettings*.json or CI files. Describe each");
            text.AppendLine("# environment's keys like this, then run 'hogguard keys audit':");
            text.AppendLine("# environments:");
            text.AppendLine("#   production:");
            text.AppendLine("#     keys:");
            text.AppendLine("#       - name: reader");
            text.AppendLine("#         source: \"env:POSTHOG_READER_KEY\"");
            text.AppendLine("#         purpose: reader");
            text.AppendLine("#         scopes: [insight:read]");
            text.AppendLine("#         max_age_days: 90");
            return text.ToString();
        }

        text.AppendLine("environments:");
        foreach (var environment in survey.Keys.GroupBy(k => k.Environment).OrderBy(g => Rank(g.Key)).ThenBy(g => g.Key, StringComparer.Ordinal))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  {Quote(environment.Key)}:");
            text.AppendLine("    keys:");
            foreach (var key in environment)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"      # found in {key.FoundIn}{(key.Guessed ? "; its purpose is a guess from its name: check it" : string.Empty)}");
                text.AppendLine(CultureInfo.InvariantCulture, $"      - name: {Quote(key.Name)}");
                text.AppendLine(CultureInfo.InvariantCulture, $"        source: {Quote(key.Source)}");
                text.AppendLine(CultureInfo.InvariantCulture, $"        purpose: {Purpose(key.Purpose)}");
                var scopes = ScopesFor(key.Purpose);
                if (scopes.Length > 0)
                {
                    text.AppendLine(CultureInfo.InvariantCulture, $"        scopes: [{string.Join(", ", scopes)}]   # narrow to what this service calls");
                }

                if (key.Purpose != KeyPurpose.Capture)
                {
                    text.AppendLine("        max_age_days: 90");
                }
            }
        }

        return text.ToString();
    }

    private static int Rank(string environment) => environment switch
    {
        "production" => 0,
        "staging" => 1,
        "development" => 3,
        "ci" or "test" => 4,
        _ => 2,
    };

    private static string Purpose(KeyPurpose purpose) => purpose switch
    {
        KeyPurpose.Capture => "capture",
        KeyPurpose.Writer => "writer",
        KeyPurpose.Flags => "flags",
        _ => "reader",
    };

    /// <summary>A YAML double-quoted scalar (paths and sources hold ':' and '#').</summary>
    private static string Quote(string value) =>
        "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
