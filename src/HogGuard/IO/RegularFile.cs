using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace HogGuard.IO;

/// <summary>
/// Opens files for reading only when they are regular files, decided on the opened handle (not on
/// the path before opening, which another process could swap): a FIFO is opened without blocking
/// and refused, so it can never hang a read; a device such as <c>/dev/zero</c> is refused before a
/// byte is read. Reads are capped, so a huge or endless file is an error, not an out-of-memory.
/// </summary>
internal static partial class RegularFile
{
    private const int OReadOnly = 0;
    private const int ONonBlock = 0x800;
    private const int OCloseOnExec = 0x80000;

    /// <summary>Opens <paramref name="path"/> for reading if it is a regular file.</summary>
    /// <exception cref="NotARegularFileException">It is a FIFO, a device, a socket or a folder.</exception>
    public static FileStream OpenRead(string path, FileOptions options = FileOptions.None)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!OperatingSystem.IsLinux())
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, options);
        }

        return FromDescriptor(Open(path, OReadOnly | ONonBlock | OCloseOnExec), path);
    }

    /// <summary>
    /// Opens a regular file by the raw bytes of its name (Linux): a name that is not valid UTF-8
    /// cannot be opened through a .NET string path. <paramref name="shownAs"/> names it in messages.
    /// </summary>
    public static FileStream OpenRead(byte[] path, string shownAs)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("opening a file by the bytes of its name needs Linux");
        }

        return FromDescriptor(OpenBytes([.. path, 0], OReadOnly | ONonBlock | OCloseOnExec), shownAs);
    }

    /// <summary>
    /// The raw names in a folder whose UTF-8 reading (invalid bytes as U+FFFD) is <paramref name="lossyName"/>
    /// (Linux, through <c>readdir</c>); empty when there is none or the folder cannot be listed.
    /// </summary>
    public static List<byte[]> RawNamesMatching(string folder, string lossyName)
    {
        var found = new List<byte[]>();
        if (!OperatingSystem.IsLinux())
        {
            return found;
        }

        var dir = OpenDir(folder);
        if (dir == IntPtr.Zero)
        {
            return found;
        }

        try
        {
            IntPtr entry;
            while ((entry = ReadDir(dir)) != IntPtr.Zero)
            {
                // struct dirent on 64-bit Linux: d_ino (8), d_off (8), d_reclen (2), d_type (1), d_name.
                var name = new List<byte>();
                for (var i = 19; ; i++)
                {
                    var b = Marshal.ReadByte(entry, i);
                    if (b == 0)
                    {
                        break;
                    }

                    name.Add(b);
                }

                if (System.Text.Encoding.UTF8.GetString([.. name]) == lossyName)
                {
                    found.Add([.. System.Text.Encoding.UTF8.GetBytes(folder.TrimEnd('/') + "/"), .. name]);
                }
            }
        }
        finally
        {
            _ = CloseDir(dir);
        }

        return found;
    }

    private static FileStream FromDescriptor(int fd, string path)
    {
        if (fd < 0)
        {
            var error = Marshal.GetLastPInvokeError();
            throw error switch
            {
                2 => new FileNotFoundException($"{path} does not exist", path),
                13 => new UnauthorizedAccessException($"{path} cannot be read: permission denied"),
                20 => new DirectoryNotFoundException($"a folder on the way to {path} does not exist"),
                21 => new NotARegularFileException(path, "folder"),
                _ => new IOException($"{path} cannot be opened: {Marshal.GetPInvokeErrorMessage(error)}"),
            };
        }

        var handle = new SafeFileHandle(fd, ownsHandle: true);
        var kind = UnixOwnership.KindOf(fd);
        if (kind is not UnixFileKind.Regular)
        {
            handle.Dispose();
            throw new NotARegularFileException(path, UnixOwnership.Describe(kind ?? UnixFileKind.Other));
        }

        return new FileStream(handle, FileAccess.Read, 1);
    }

    /// <summary>Reads a whole regular file of at most <paramref name="maxBytes"/> bytes.</summary>
    /// <exception cref="NotARegularFileException">Not a regular file.</exception>
    /// <exception cref="IOException">Larger than <paramref name="maxBytes"/> (the message names the limit).</exception>
    public static byte[] ReadAllBytes(string path, long maxBytes)
    {
        using var stream = OpenRead(path);
        using var buffer = new MemoryStream();
        var chunk = new byte[64 * 1024];
        int read;
        while ((read = stream.Read(chunk)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                throw new IOException($"{path} is larger than {maxBytes:N0} bytes, more than such a file can sensibly be; check the path");
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    /// <summary>Reads a whole regular text file (UTF-8) of at most <paramref name="maxBytes"/> bytes.</summary>
    public static string ReadAllText(string path, long maxBytes)
    {
        var bytes = ReadAllBytes(path, maxBytes);
        return System.Text.Encoding.UTF8.GetString(bytes.AsSpan().StartsWith(System.Text.Encoding.UTF8.Preamble) ? bytes.AsSpan(3) : bytes);
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true)]
    private static partial int OpenBytes(byte[] path, int flags);

    [LibraryImport("libc", EntryPoint = "opendir", StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr OpenDir(string path);

    [LibraryImport("libc", EntryPoint = "readdir")]
    private static partial IntPtr ReadDir(IntPtr dir);

    [LibraryImport("libc", EntryPoint = "closedir")]
    private static partial int CloseDir(IntPtr dir);
}

/// <summary>A path that had to be a regular file is a FIFO, a device, a socket or a folder; nothing was read.</summary>
internal sealed class NotARegularFileException(string path, string kind)
    : IOException($"{path} is a {kind}, not a regular file; HogGuard reads only regular files")
{
    public string Kind => kind;
}
