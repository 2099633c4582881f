using System.Security.Cryptography;
using HogGuard.IO;

namespace HogGuard.SecretStores;

/// <summary>
/// Where a key lives, with three slots: the current key (the name in <c>hogguard.yml</c>), the next
/// key while a rotation verifies it (<c>NAME_NEXT</c>) and the previous key until it is revoked
/// (<c>NAME_PREVIOUS</c>).
/// </summary>
public interface ISecretStore
{
    /// <summary>The source as <c>hogguard.yml</c> names it, e.g. <c>dotenv:.env#POSTHOG_SECRET</c>.</summary>
    string Description { get; }

    /// <summary>False for environment variables: HogGuard cannot set them; a deployer does.</summary>
    bool CanWrite { get; }

    /// <summary>The three slots and a version that changes whenever the underlying file does.</summary>
    SecretSlots Read();

    /// <summary>
    /// Replaces all three slots (null removes one) atomically, only if the store is still at
    /// <paramref name="basis"/>'s version; otherwise <see cref="SecretStoreConflictException"/>, and nothing is written.
    /// </summary>
    void Write(SecretSlots basis, string? current, string? next, string? previous);
}

/// <summary>The three slots of a store at one version. <see cref="ToString"/> never shows a value.</summary>
public sealed record SecretSlots(string? Current, string? Next, string? Previous, string Version)
{
    /// <inheritdoc/>
    public override string ToString() => $"slots current={Current is not null} next={Next is not null} previous={Previous is not null} version={Version}";
}

/// <summary>The store changed between HogGuard reading it and writing it: someone else edited it.</summary>
public sealed class SecretStoreConflictException(string message) : IOException(message);

/// <summary>Builds a store for a <see cref="KeySource"/>.</summary>
public static class SecretStoreFactory
{
    /// <summary>The name suffix of the slot that holds a new key until it is promoted.</summary>
    public const string NextSuffix = "_NEXT";
    /// <summary>The name suffix of the slot that holds the old key until it is revoked.</summary>
    public const string PreviousSuffix = "_PREVIOUS";

    /// <summary>The largest store file HogGuard reads (a settings file, not data).</summary>
    public const long MaxStoreBytes = 1024 * 1024;

    /// <param name="baseDirectory">The folder of <c>hogguard.yml</c>; relative paths start there.</param>
    /// <param name="userSecretsRoot">The user-secrets folder (default: where <c>dotnet user-secrets</c> keeps them).</param>
    public static ISecretStore For(KeySource source, string baseDirectory, Func<string, string?>? environment = null, string? userSecretsRoot = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        return source.Scheme switch
        {
            "dotenv" => new DotenvSecretStore(source.ToString(), FileOf(source, baseDirectory, userSecretsRoot)!, source.Name!),
            "json" or "user-secrets" => new JsonSecretStore(source.ToString(), FileOf(source, baseDirectory, userSecretsRoot)!, source.Name!),
#pragma warning disable RS0030 // The default for callers that pass no environment of their own.
            "env" => new EnvironmentSecretStore(source.Location, environment ?? Environment.GetEnvironmentVariable),
#pragma warning restore RS0030
            _ => throw new ArgumentException($"unknown key source '{source.Scheme}'", nameof(source)),
        };
    }

    /// <summary>The file a source reads (relative paths from <paramref name="baseDirectory"/>); null for environment variables.</summary>
    public static string? FileOf(KeySource source, string baseDirectory, string? userSecretsRoot = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        return source.Scheme switch
        {
            "dotenv" or "json" => Path.GetFullPath(Path.Combine(baseDirectory, source.Location)),
            "user-secrets" => Path.Combine(userSecretsRoot ?? DefaultUserSecretsRoot(), source.Location, "secrets.json"),
            _ => null,
        };
    }

    /// <summary>Where <c>dotnet user-secrets</c> keeps its files on this machine.</summary>
    public static string DefaultUserSecretsRoot() => OperatingSystem.IsWindows()
        ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.ApplicationData), "Microsoft", "UserSecrets")
        : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".microsoft", "usersecrets");

    /// <summary>
    /// The file a dotenv or JSON store really writes (a symbolic link followed to its target) when it
    /// lies outside the folder of hogguard.yml; null inside it, and for user secrets and environment
    /// variables, which have their own places.
    /// </summary>
    public static string? OutsideOf(KeySource source, string baseDirectory)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (source.Scheme is not ("dotenv" or "json") || FileOf(source, baseDirectory) is not { } file)
        {
            return null;
        }

        var target = FinalTarget(file);
        var root = Path.GetFullPath(baseDirectory);
        var real = new DirectoryInfo(root).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? root;
        bool Inside(string folder) => target.StartsWith(Path.TrimEndingDirectorySeparator(folder) + Path.DirectorySeparatorChar, StringComparison.Ordinal);
        return Inside(root) || Inside(real) ? null : target;
    }

    /// <summary>A file's version: a hash of its bytes, or "absent".</summary>
    internal static string VersionOf(byte[]? bytes) => bytes is null ? "absent" : Convert.ToHexStringLower(SHA256.HashData(bytes));

    internal static byte[]? ReadBytes(string path)
    {
        try
        {
            return RegularFile.ReadAllBytes(path, MaxStoreBytes);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <summary>
    /// The file a store path finally names: a symbolic link is followed to its last target, so a
    /// rewrite replaces the shared file every reader sees, not the link.
    /// </summary>
    public static string FinalTarget(string path)
    {
        var full = System.IO.Path.GetFullPath(path);
        try
        {
            return new FileInfo(full).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? full;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return full;
        }
        catch (IOException e)
        {
            throw new IOException($"{path} is a symbolic link that cannot be followed ({e.Message}); point it at the real file or name the file itself", e);
        }
    }

    /// <summary>
    /// Checks the version, then writes atomically through a symbolic link to its target, keeping the
    /// file's permissions, owner and group (owner-only for a new file).
    /// </summary>
    internal static void WriteChecked(string path, SecretSlots basis, byte[] content)
    {
        path = FinalTarget(path);
        var now = ReadBytes(path);
        if (VersionOf(now) != basis.Version)
        {
            throw new SecretStoreConflictException($"{path} changed since HogGuard read it (someone edited it); nothing was written. Check the file and run the command again");
        }

        UnixFileMode? mode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        if (now is not null && !OperatingSystem.IsWindows())
        {
            mode = File.GetUnixFileMode(path);
        }

        var owner = now is null ? null : UnixOwnership.Of(path);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        AtomicFile.Write(path, stream => stream.Write(content), mode, owner);
    }
}
