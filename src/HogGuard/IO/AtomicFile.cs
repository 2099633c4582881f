namespace HogGuard.IO;

/// <summary>Writes a file so that readers see the old content or the new, never half of it: temp file, fsync, rename, directory fsync.</summary>
internal static class AtomicFile
{
    /// <param name="owner">On Linux, the owner and group the new file must have (those of the file it replaces).</param>
    public static void Write(string path, Action<Stream> write, UnixFileMode? mode = null, (uint Uid, uint Gid)? owner = null)
    {
        ArgumentNullException.ThrowIfNull(write);
        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full) ?? ".";
        var temp = Path.Combine(directory, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
            if (mode is { } m && !OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = m;
            }

            using (var stream = new FileStream(temp, options))
            {
                if (mode is { } exact && !OperatingSystem.IsWindows())
                {
                    // The creation mode passes through the umask; set the exact one before any byte lands.
                    File.SetUnixFileMode(stream.SafeFileHandle, exact);
                }

                if (owner is { } keep)
                {
                    UnixOwnership.Apply(stream.SafeFileHandle, keep, full);
                }

                write(stream);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, full, overwrite: true);
            FsyncDirectory(directory);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }

    /// <summary>
    /// Writes a file the user named as output (<c>-o</c>, <c>--write-baseline</c>, a secret's file): a
    /// symbolic link is followed and its target rewritten atomically (the link stays); a character
    /// device or a FIFO is written directly, as a shell redirection would (never replaced by a
    /// regular file); anything else that is not a regular file is refused.
    /// </summary>
    /// <exception cref="IOException">The path is a directory, a block device, a socket or another special file.</exception>
    public static void WriteOutput(string path, Action<Stream> write, UnixFileMode? mode = null)
    {
        ArgumentNullException.ThrowIfNull(write);
        var full = Path.GetFullPath(path);
        var target = new FileInfo(full).LinkTarget is null ? full : new FileInfo(full).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? full;
        switch (UnixOwnership.KindOf(target))
        {
            case null or UnixFileKind.Regular:
                Write(target, write, mode);
                return;
            case UnixFileKind.CharacterDevice or UnixFileKind.Fifo:
                using (var stream = new FileStream(target, FileMode.Open, FileAccess.Write, FileShare.ReadWrite))
                {
                    write(stream);
                }

                return;
            case var kind:
                throw new IOException($"{path} is a {UnixOwnership.Describe(kind.Value)}, not a file; give a file path (or a device such as /dev/stdout)");
        }
    }

    private static void FsyncDirectory(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        try
        {
            using var handle = File.OpenHandle(directory, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, FileOptions.None);
            RandomAccess.FlushToDisk(handle);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Some file systems refuse to open a directory; the rename itself has still happened.
        }
    }
}
