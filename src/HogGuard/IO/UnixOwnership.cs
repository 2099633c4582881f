using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace HogGuard.IO;

/// <summary>
/// A file's owner and group on Linux, read with <c>statx</c> (whose layout is the same on every
/// architecture) and set with <c>fchown</c>: .NET exposes a file's mode but not its owner, and a
/// rewrite by rename must not hand a service's file to whoever ran HogGuard.
/// </summary>
internal static partial class UnixOwnership
{
    private const int AtFdCwd = -100;
    private const uint StatxBasicStats = 0x7ff;
    private const int AtEmptyPath = 0x1000;

    /// <summary>The owner and group of <paramref name="path"/> (following links); null off Linux or when unreadable.</summary>
    public static (uint Uid, uint Gid)? Of(string path) =>
        // struct statx: stx_uid at byte 20, stx_gid at byte 24.
        Stat(path) is { } buffer ? (BitConverter.ToUInt32(buffer, 20), BitConverter.ToUInt32(buffer, 24)) : null;

    /// <summary>What a path is (following links), from <c>statx</c>'s mode; null off Linux, when absent or unreadable.</summary>
    public static UnixFileKind? KindOf(string path) => Kind(Stat(path));

    /// <summary>What an open descriptor is (<c>statx</c> with <c>AT_EMPTY_PATH</c>: no path is looked up again).</summary>
    public static UnixFileKind? KindOf(int fd) => Kind(Stat(fd, string.Empty, AtEmptyPath));

    private static UnixFileKind? Kind(byte[]? buffer)
    {
        if (buffer is null)
        {
            return null;
        }

        // stx_mode at byte 28; S_IFMT selects the file type.
        return (BitConverter.ToUInt16(buffer, 28) & 0xF000) switch
        {
            0x8000 => UnixFileKind.Regular,
            0x4000 => UnixFileKind.Directory,
            0x2000 => UnixFileKind.CharacterDevice,
            0x6000 => UnixFileKind.BlockDevice,
            0x1000 => UnixFileKind.Fifo,
            0xC000 => UnixFileKind.Socket,
            _ => UnixFileKind.Other,
        };
    }

    /// <summary>A file type in words, for messages ("a FIFO (named pipe), not a regular file").</summary>
    public static string Describe(UnixFileKind kind) => kind switch
    {
        UnixFileKind.Regular => "regular file",
        UnixFileKind.Directory => "folder",
        UnixFileKind.CharacterDevice => "character device",
        UnixFileKind.BlockDevice => "block device",
        UnixFileKind.Fifo => "FIFO (named pipe)",
        UnixFileKind.Socket => "socket",
        _ => "special file",
    };

    /// <summary>The 256-byte <c>struct statx</c> of a path (following links); null off Linux, when absent or unreadable.</summary>
    private static byte[]? Stat(string path) => Stat(AtFdCwd, path, 0);

    private static byte[]? Stat(int dirfd, string path, int flags)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        var buffer = new byte[256];
        try
        {
            return Statx(dirfd, path, flags, StatxBasicStats, buffer) == 0 ? buffer : null;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
    }

    /// <summary>Gives an open file the owner and group; an <see cref="IOException"/> names the file when the system refuses.</summary>
    public static void Apply(SafeFileHandle handle, (uint Uid, uint Gid) owner, string forPath)
    {
        if (!OperatingSystem.IsLinux() || Stat((int)handle.DangerousGetHandle(), string.Empty, AtEmptyPath) is { } now && (BitConverter.ToUInt32(now, 20), BitConverter.ToUInt32(now, 24)) == owner)
        {
            return;
        }

        if (Fchown((int)handle.DangerousGetHandle(), owner.Uid, owner.Gid) != 0)
        {
            var error = Marshal.GetLastPInvokeError();
            throw new IOException($"{forPath} belongs to user {owner.Uid} and group {owner.Gid}, and rewriting it as this user (error {error}: {Marshal.GetPInvokeErrorMessage(error)}) would hand it to another owner; nothing was written. Run as its owner or as root");
        }
    }

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statx(int dirfd, string path, int flags, uint mask, byte[] buffer);

    [LibraryImport("libc", EntryPoint = "fchown", SetLastError = true)]
    private static partial int Fchown(int fd, uint owner, uint group);
}

/// <summary>The type of a file as the kernel reports it.</summary>
internal enum UnixFileKind
{
    Regular,
    Directory,
    CharacterDevice,
    BlockDevice,
    Fifo,
    Socket,
    Other,
}
