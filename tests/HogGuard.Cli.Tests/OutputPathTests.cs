using System.Diagnostics;
using HogGuard.Cli.Tests.Infrastructure;

namespace HogGuard.Cli.Tests;

/// <summary>
/// <c>-o</c> names a path the user chose: a device or FIFO is written, never replaced by a regular
/// file (as root, a scan once replaced <c>/dev/full</c>); a symbolic link is written through; a
/// folder or socket is refused.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class OutputPathTests
{
    private static GitRepo RepoWithALeak()
    {
        var repo = new GitRepo(init: false);
        repo.Write("src/leak.txt", Tokens.New("phx_") + "\n");
        return repo;
    }

    private static string Kind(string path)
    {
        using var stat = Process.Start(new ProcessStartInfo("stat", ["-c", "%F", path]) { RedirectStandardOutput = true })!;
        var kind = stat.StandardOutput.ReadToEnd().Trim();
        stat.WaitForExit();
        return kind;
    }

    /// <summary>A character device inside the scratch folder (a copy of /dev/null, made with mknod as root).</summary>
    private static string NullDevice(string folder)
    {
        if (Environment.UserName != "root")
        {
            return "/dev/null";
        }

        var path = Path.Combine(folder, "null-device");
        using var mknod = Process.Start("mknod", [path, "c", "1", "3"])!;
        mknod.WaitForExit();
        Assert.Equal(0, mknod.ExitCode);
        return path;
    }

    [Fact]
    public void Output_ToACharacterDevice_WritesIt_AndTheDeviceStaysADevice()
    {
        using var repo = RepoWithALeak();
        var device = NullDevice(repo.Root);

        var result = Tool.Run(repo.Root, "scan", "src", "--no-git", "--format", "json", "-o", device);

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Equal("character special file", Kind(device));
    }

    [Fact]
    public void Output_ThroughASymlink_RewritesTheTarget_AndKeepsTheLink()
    {
        using var repo = RepoWithALeak();
        Directory.CreateDirectory(Path.Combine(repo.Root, "reports"));
        File.WriteAllText(Path.Combine(repo.Root, "reports", "real.json"), "old");
        var link = Path.Combine(repo.Root, "report.json");
        File.CreateSymbolicLink(link, "reports/real.json");

        var result = Tool.Run(repo.Root, "scan", "src", "--no-git", "--format", "json", "-o", link);

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Equal("reports/real.json", new FileInfo(link).LinkTarget);
        Assert.Contains("\"findings\"", File.ReadAllText(Path.Combine(repo.Root, "reports", "real.json")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Output_ToAFifo_IsWrittenToTheReader()
    {
        using var repo = RepoWithALeak();
        var fifo = Path.Combine(repo.Root, "report.fifo");
        using (var mkfifo = Process.Start("mkfifo", [fifo])!)
        {
            mkfifo.WaitForExit();
            Assert.Equal(0, mkfifo.ExitCode);
        }

        var reader = Task.Run(() => File.ReadAllText(fifo));
        var result = Tool.Run(repo.Root, "scan", "src", "--no-git", "--format", "json", "-o", fifo);
        var read = await reader.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("\"findings\"", read, StringComparison.Ordinal);
        Assert.False(File.Exists(fifo + ".tmp"));
    }

    [Fact]
    public void Output_ToASocket_IsRefused()
    {
        using var repo = RepoWithALeak();
        var path = Path.Combine(repo.Root, "s.sock");
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
        socket.Bind(new System.Net.Sockets.UnixDomainSocketEndPoint(path));

        var result = Tool.Run(repo.Root, "scan", "src", "--no-git", "--format", "json", "-o", path);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("is a socket, not a file", result.Stderr, StringComparison.Ordinal);
    }
}
