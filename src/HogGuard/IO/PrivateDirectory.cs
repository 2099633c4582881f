namespace HogGuard.IO;

/// <summary>Folders HogGuard creates for its own state (audit logs, rotation journals): readable by their owner only.</summary>
internal static class PrivateDirectory
{
    /// <summary>
    /// Creates <paramref name="path"/> and any missing parents, new ones with mode 0700 on Unix; an
    /// existing folder keeps the mode its owner gave it.
    /// </summary>
    public static void Create(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
            return;
        }

        Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }
}
