using System.Text;
using HogGuard.Policy;
using HogGuard.Rotation;
using HogGuard.Testing;

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
        return SecretStores.For(parsed, _dir, userSecretsRoot: Path.Combine(_dir, "usersecrets"));
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

        var expected = original.Replace(old, fresh, StringComparison.Ordinal).Replace("LAST=1", "LAST=1\r\n", StringComparison.Ordinal);
        Assert.Equal(expected, new UTF8Encoding(false).GetString(File.ReadAllBytes(path)));
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
        var store = SecretStores.For(new KeySource("env", "KEY", null), _dir, name => values.GetValueOrDefault(name));
        Assert.False(store.CanWrite);
        Assert.Equal(("a", (string?)null, "b"), (store.Read().Current, store.Read().Next, store.Read().Previous));
        Assert.Throws<InvalidOperationException>(() => store.Write(store.Read(), "c", null, null));
    }
}
