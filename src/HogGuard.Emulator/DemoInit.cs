using System.Text;
using System.Text.Json;
using HogGuard.IO;
using HogGuard.Keys;
using HogGuard.Webhooks;

namespace HogGuard.Emulator;

/// <summary>
/// <c>hogguard-emulator init DIR</c>: a seed with fresh keys of every kind, held in it only as
/// PostHog holds them (hash and mask), and an owner-only <c>emulator.env</c> with their values in the
/// settings the sample service and the tool read: the one place they appear.
/// </summary>
internal static class DemoInit
{
    public const string SeedFileName = "seed.json";
    public const string EnvFileName = "emulator.env";

    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        string? folder = null;
        var url = "http://127.0.0.1:8010";
        var force = false;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--force":
                    force = true;
                    break;
                case "--url" when i + 1 < args.Length:
                    url = args[++i];
                    break;
                case var arg when !arg.StartsWith('-') && folder is null:
                    folder = arg;
                    break;
                default:
                    error.WriteLine($"hogguard-emulator: init: unknown argument '{args[i]}'; usage: init DIR [--url http://127.0.0.1:8010] [--force]");
                    return 2;
            }
        }

        if (folder is null)
        {
            error.WriteLine("hogguard-emulator: init needs a folder: init DIR [--url http://127.0.0.1:8010] [--force]");
            return 2;
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var host) || host.Scheme is not ("http" or "https"))
        {
            error.WriteLine($"hogguard-emulator: init: --url '{url}' is not an http(s) URL; give where the emulator will listen, e.g. http://127.0.0.1:8010");
            return 2;
        }

        var seedPath = Path.Combine(folder, SeedFileName);
        var envPath = Path.Combine(folder, EnvFileName);
        var existing = new[] { seedPath, envPath }.Where(File.Exists).ToList();
        if (existing.Count > 0 && !force)
        {
            error.WriteLine($"hogguard-emulator: init: {string.Join(" and ", existing)} already exist(s); keep them, or pass --force to write new keys over them");
            return 2;
        }

        try
        {
            Write(folder, host, seedPath, envPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"hogguard-emulator: init: cannot write into {folder}: {e.Message}; choose a folder you can write");
            return 2;
        }

        output.WriteLine($"wrote {seedPath} (keys as hashes and masks) and {envPath} (their values, readable by you only)");
        output.WriteLine($"start:  hogguard-emulator --urls {host.GetLeftPart(UriPartial.Authority)} --seed {seedPath}");
        output.WriteLine($"use:    set -a; . {envPath}; set +a");
        return 0;
    }

    private static void Write(string folder, Uri host, string seedPath, string envPath)
    {
        var keys = DemoKeys.New();
        PrivateDirectory.Create(folder);

        // The values first, owner-only: a seed without its env file would name keys nobody holds.
        AtomicFile.Write(envPath, s => s.Write(Encoding.UTF8.GetBytes(keys.EnvFile(host))), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        AtomicFile.Write(seedPath, s => s.Write(Encoding.UTF8.GetBytes(keys.SeedJson())));
        var ignore = Path.Combine(folder, ".gitignore");
        if (!File.Exists(ignore))
        {
            AtomicFile.Write(ignore, s => s.Write("# Written by 'hogguard-emulator init': the values of the emulator's keys stay out of git.\nemulator.env\n"u8));
        }
    }
}

/// <summary>One fresh key of every kind, with the scopes a demo service's roles need.</summary>
internal sealed record DemoKeys(
    string ProjectToken, string SecretKey, string LegacySecretToken, string Reader, string Writer, string Rotator, string OAuthAccess, string OAuthRefresh, string WebhookSecret)
{
    public static string[] ReaderScopes { get; } = ["insight:read", "feature_flag:read", "query:read", "project:read"];

    public static string[] WriterScopes { get; } = ["insight:write", "feature_flag:write"];

    public static string[] RotatorScopes { get; } = ["project:write"];

    public static DemoKeys New() => new(
        TokenGenerator.Generate(PostHogTokenKind.ProjectApiKey),
        TokenGenerator.Generate(PostHogTokenKind.ProjectSecretApiKey),
        TokenGenerator.Generate(PostHogTokenKind.ProjectSecretApiKey),
        TokenGenerator.Generate(PostHogTokenKind.PersonalApiKey),
        TokenGenerator.Generate(PostHogTokenKind.PersonalApiKey),
        TokenGenerator.Generate(PostHogTokenKind.PersonalApiKey),
        TokenGenerator.Generate(PostHogTokenKind.OAuthAccessToken),
        TokenGenerator.Generate(PostHogTokenKind.OAuthRefreshToken),
        WebhookKey.NewStandardSecret());

    public string EnvFile(Uri host)
    {
        var origin = host.GetLeftPart(UriPartial.Authority);
        var lines = new[]
        {
            "# EMULATOR-ONLY keys, written by 'hogguard-emulator init': the HogGuard emulator at " + origin + " accepts them, PostHog never will. Keep this file out of git.",
            "# Load into a shell with: set -a; . ./" + DemoInit.EnvFileName + "; set +a",
            $"PostHog__Host={origin}",
            "PostHog__ProjectId=1",
            $"PostHog__ProjectToken={ProjectToken}",
            $"PostHog__ReaderKey={Reader}",
            $"PostHog__WriterKey={Writer}",
            "PostHog__Webhook__Secrets__0__Id=current",
            $"PostHog__Webhook__Secrets__0__Secret={WebhookSecret}",
            "Audit__Directory=./audit",
            $"POSTHOG_HOST={origin}",
            $"POSTHOG_PROJECT_TOKEN={ProjectToken}",
            $"POSTHOG_SECRET_API_KEY={SecretKey}",
            $"POSTHOG_LEGACY_SECRET_TOKEN={LegacySecretToken}",
            $"POSTHOG_PERSONAL_API_KEY={Rotator}",
            $"POSTHOG_OAUTH_ACCESS_TOKEN={OAuthAccess}",
            $"POSTHOG_OAUTH_REFRESH_TOKEN={OAuthRefresh}",
        };
        return string.Join('\n', lines) + "\n";
    }

    public string SeedJson()
    {
        static object Key(string label, string value, string[]? scopes) => scopes is null
            ? new Dictionary<string, object> { ["label"] = label, ["value_hash"] = TokenGenerator.StoredHash(value), ["mask"] = SecretMasking.Mask(value) }
            : new Dictionary<string, object> { ["label"] = label, ["value_hash"] = TokenGenerator.StoredHash(value), ["mask"] = SecretMasking.Mask(value), ["scopes"] = scopes };

        var seed = new Dictionary<string, object>
        {
            ["projects"] = new object[]
            {
                new Dictionary<string, object>
                {
                    ["id"] = 1,
                    ["name"] = "Demo",
                    ["api_token"] = ProjectToken,
                    ["secret_token_hash"] = TokenGenerator.StoredHash(LegacySecretToken),
                    ["secret_api_keys"] = new[] { Key("flags", SecretKey, ["feature_flag:read"]) },
                },
            },
            ["users"] = new object[]
            {
                new Dictionary<string, object>
                {
                    ["email"] = "owner@example.com",
                    ["level"] = "owner",
                    ["personal_api_keys"] = new[] { Key("reader", Reader, ReaderScopes), Key("writer", Writer, WriterScopes), Key("rotator", Rotator, RotatorScopes) },
                    ["oauth_access_tokens"] = new[] { Key("app", OAuthAccess, ["user:read"]) },
                    ["oauth_refresh_tokens"] = new[] { Key("app", OAuthRefresh, null) },
                },
            },
        };
        return JsonSerializer.Serialize(seed, DemoJson.Default.DictionaryStringObject) + "\n";
    }
}

[System.Text.Json.Serialization.JsonSourceGenerationOptions(WriteIndented = true)]
[System.Text.Json.Serialization.JsonSerializable(typeof(Dictionary<string, object>))]
[System.Text.Json.Serialization.JsonSerializable(typeof(object[]))]
[System.Text.Json.Serialization.JsonSerializable(typeof(string[]))]
[System.Text.Json.Serialization.JsonSerializable(typeof(int))]
[System.Text.Json.Serialization.JsonSerializable(typeof(string))]
internal sealed partial class DemoJson : System.Text.Json.Serialization.JsonSerializerContext;
