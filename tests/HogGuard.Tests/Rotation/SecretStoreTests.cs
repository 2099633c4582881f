using System.Text;
using HogGuard.Testing;
using HogGuard.IO;
using HogGuard.SecretStores;

namespace HogGuard.Tests.Rotation;

public sealed class SecretStoreTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("hogguard-store-").FullName;
    private readonly Random _random = new(7);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Token() => TestTokens.Make("phs_", base57: true, _random);

    private ISecretStore Store(string source)
    {
        Assert.True(KeySource.TryParse(source, out var parsed, out var error), error);
        return SecretStoreFactory.For(parsed, _dir, userSecretsRoot: Path.Combine(_dir, "usersecrets"));
    }

    [Fact]
    public void Dotenv_RotationWrites_ChangeOnlyTheKeyLines_AndKeepCrlfCommentsQuotesAndOrder()
    {
        var (old, fresh) = (Token(), Token());
        var path = Path.Combine(_dir, ".env");
        var original = $"\uFEFF# production settings\r\nexport POSTHOG_SECRET=\"{old}\" # rotated by hogguard\r\n\r\nOTHER='keep me'  # note\r\nLAST=1";
        File.WriteAllText(path, original, new UTF8Encoding(false));
        var store = Store("dotenv:.env#POSTHOG_SECRET");

        var start = store.Read();
        Assert.Equal(old, start.Current);
        store.Write(start, old, fresh, null);
        var obtained = store.Read();
        Assert.Equal((old, fresh, (string?)null), (obtained.Current, obtained.Next, obtained.Previous));
        store.Write(obtained, fresh, null, old);
        store.Write(store.Read(), fresh, null, null);

        // Every other byte as it was, the missing final newline included.
        var expected = original.Replace(old, fresh, StringComparison.Ordinal);
        Assert.Equal(expected, new UTF8Encoding(false).GetString(File.ReadAllBytes(path)));
    }

    private static void Rotate(ISecretStore store, string old, string fresh)
    {
        store.Write(store.Read(), old, fresh, null);
        store.Write(store.Read(), fresh, null, old);
        store.Write(store.Read(), fresh, null, null);
    }

    [Fact]
    public void Dotenv_OtherLinesInLatin1AndMixedEndings_ComeBackByteForByte()
    {
        var (old, fresh) = (Token(), Token());
        var path = Path.Combine(_dir, ".env");
        byte[] Content(string key) => [.. "# caf"u8, 0xE9, .. "\r\nNAME=Jos"u8, 0xE9, .. "\nPOSTHOG_SECRET="u8, .. Encoding.ASCII.GetBytes(key), .. "\r\nTAIL=\xff"u8];
        File.WriteAllBytes(path, Content(old));

        Rotate(Store("dotenv:.env#POSTHOG_SECRET"), old, fresh);

        Assert.Equal(Content(fresh), File.ReadAllBytes(path));
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void Dotenv_SymlinkedFile_IsRewrittenThroughTheLink_TheLinkStays()
    {
        var (old, fresh) = (Token(), Token());
        Directory.CreateDirectory(Path.Combine(_dir, "shared"));
        Directory.CreateDirectory(Path.Combine(_dir, "app"));
        var target = Path.Combine(_dir, "shared", "app.env");
        File.WriteAllText(target, $"POSTHOG_SECRET={old}\n");
        File.SetUnixFileMode(target, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
        var link = Path.Combine(_dir, "app", ".env");
        File.CreateSymbolicLink(link, "../shared/app.env");

        Rotate(Store("dotenv:app/.env#POSTHOG_SECRET"), old, fresh);

        Assert.Equal("../shared/app.env", new FileInfo(link).LinkTarget);
        Assert.Equal($"POSTHOG_SECRET={fresh}\n", File.ReadAllText(target));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, File.GetUnixFileMode(target));
        Assert.Empty(Directory.GetFiles(Path.Combine(_dir, "shared"), "*.tmp"));
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void Dotenv_FileOfAnotherOwner_KeepsItsOwnerAndGroup()
    {
        // As root (here and in CI) a nobody:nogroup 0600 file must not come back root:root, or the
        // app loses access; as another user the file can only be one's own, and must stay so.
        var (old, fresh) = (Token(), Token());
        var path = Path.Combine(_dir, ".env");
        File.WriteAllText(path, $"POSTHOG_SECRET={old}\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var root = Environment.UserName == "root";
        if (root)
        {
            using var chown = System.Diagnostics.Process.Start("chown", ["nobody:nogroup", path]);
            chown.WaitForExit();
            Assert.Equal(0, chown.ExitCode);
        }

        var before = UnixOwnership.Of(path);
        Rotate(Store("dotenv:.env#POSTHOG_SECRET"), old, fresh);

        Assert.NotNull(before);
        Assert.Equal(root, before.Value != (0u, 0u));
        Assert.Equal(before, UnixOwnership.Of(path));
        Assert.Equal($"POSTHOG_SECRET={fresh}\n", File.ReadAllText(path));
    }

    [Fact]
    public void Dotenv_EditedBetweenReadAndWrite_IsRefused_AndTheEditKept()
    {
        var path = Path.Combine(_dir, ".env");
        File.WriteAllText(path, $"POSTHOG_SECRET={Token()}\n");
        var store = Store("dotenv:.env#POSTHOG_SECRET");
        var read = store.Read();
        var edited = $"POSTHOG_SECRET={Token()}\nADDED=by someone else\n";
        File.WriteAllText(path, edited);

        Assert.Throws<SecretStoreConflictException>(() => store.Write(read, Token(), null, null));
        Assert.Equal(edited, File.ReadAllText(path));
        Assert.Empty(Directory.GetFiles(_dir, "*.tmp"));
    }

    [Fact]
    public void Dotenv_NewFile_IsOwnerOnly_AndAnExistingFileKeepsItsMode()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var store = Store("dotenv:secrets/.env#KEY");
        store.Write(store.Read(), Token(), null, null);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(_dir, "secrets/.env")));

        var shared = Path.Combine(_dir, ".env.shared");
        File.WriteAllText(shared, $"KEY={Token()}\n");
        var groupReadable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite;
        File.SetUnixFileMode(shared, groupReadable);
        var other = Store("dotenv:.env.shared#KEY");
        other.Write(other.Read(), Token(), null, null);
        Assert.Equal(groupReadable, File.GetUnixFileMode(shared));
    }

    [Fact]
    public void Json_NestedPath_KeepsOtherSettings_AndSlotsAreSiblings()
    {
        var (old, fresh) = (Token(), Token());
        var path = Path.Combine(_dir, "appsettings.json");
        File.WriteAllText(path, $$"""{ "Logging": { "Level": "Warning" }, "PostHog": { "Host": "https://eu.posthog.com", "SecretKey": "{{old}}" } }""");
        var store = Store("json:appsettings.json#PostHog:SecretKey");

        var read = store.Read();
        Assert.Equal(old, read.Current);
        store.Write(read, fresh, null, old);

        using var document = System.Text.Json.JsonDocument.Parse(File.ReadAllText(path));
        var posthog = document.RootElement.GetProperty("PostHog");
        Assert.Equal("Warning", document.RootElement.GetProperty("Logging").GetProperty("Level").GetString());
        Assert.Equal("https://eu.posthog.com", posthog.GetProperty("Host").GetString());
        Assert.Equal(fresh, posthog.GetProperty("SecretKey").GetString());
        Assert.Equal(old, posthog.GetProperty("SecretKey_PREVIOUS").GetString());
        Assert.Equal(["Host", "SecretKey", "SecretKey_PREVIOUS"], posthog.EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public void UserSecrets_FlatNames_StayFlat()
    {
        var (old, fresh) = (Token(), Token());
        var path = Path.Combine(_dir, "usersecrets", "app-id", "secrets.json");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, $$"""{ "PostHog:SecretKey": "{{old}}", "Other": "x" }""");
        var store = Store("user-secrets:app-id#PostHog:SecretKey");

        store.Write(store.Read(), old, fresh, null);

        using var document = System.Text.Json.JsonDocument.Parse(File.ReadAllText(path));
        Assert.Equal(old, document.RootElement.GetProperty("PostHog:SecretKey").GetString());
        Assert.Equal(fresh, document.RootElement.GetProperty("PostHog:SecretKey_NEXT").GetString());
        Assert.Equal("x", document.RootElement.GetProperty("Other").GetString());
    }

    [Fact]
    public void Json_WithComments_IsRefusedRatherThanRewrittenWithoutThem()
    {
        var path = Path.Combine(_dir, "appsettings.json");
        var text = "{ // the key\n  \"PostHog\": { \"SecretKey\": \"" + Token() + "\" } }";
        File.WriteAllText(path, text);
        var store = Store("json:appsettings.json#PostHog:SecretKey");

        var error = Assert.Throws<InvalidDataException>(() => store.Write(store.Read(), Token(), null, null));
        Assert.Contains("comments", error.Message, StringComparison.Ordinal);
        Assert.Equal(text, File.ReadAllText(path));
    }

    [Fact]
    public void Environment_IsReadOnly_AndReadsAllSlots()
    {
        var values = new Dictionary<string, string> { ["KEY"] = "a", ["KEY_PREVIOUS"] = "b" };
        var store = SecretStoreFactory.For(new KeySource("env", "KEY", null), _dir, name => values.GetValueOrDefault(name));
        Assert.False(store.CanWrite);
        Assert.Equal(("a", (string?)null, "b"), (store.Read().Current, store.Read().Next, store.Read().Previous));
        Assert.Throws<InvalidOperationException>(() => store.Write(store.Read(), "c", null, null));
    }
}
