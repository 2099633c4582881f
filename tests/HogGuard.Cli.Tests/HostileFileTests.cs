using System.Diagnostics;
using HogGuard.Cli.Tests.Infrastructure;

namespace HogGuard.Cli.Tests;

/// <summary>
/// FIFOs and devices where files are expected: each used to hang forever (or spin, on /dev/zero).
/// HogGuard reads only regular files, decided on the opened handle: in a scanned tree such a file is
/// skipped with a note; where the user named it, it is exit 2 with one line.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class HostileFileTests
{
    private static string Fifo(string folder, string name)
    {
        var path = Path.Combine(folder, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var mkfifo = Process.Start("mkfifo", [path])!;
        mkfifo.WaitForExit();
        Assert.Equal(0, mkfifo.ExitCode);
        return path;
    }

    /// <summary>/dev/zero's twin in the scratch folder (mknod as root), else /dev/zero itself: it is only read.</summary>
    private static string Zero(string folder)
    {
        if (Environment.UserName != "root")
        {
            return "/dev/zero";
        }

        var path = Path.Combine(folder, "zero");
        using var mknod = Process.Start("mknod", [path, "c", "1", "5"])!;
        mknod.WaitForExit();
        Assert.Equal(0, mknod.ExitCode);
        return path;
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Scan_FifoInTheTree_IsSkippedWithANote_AndTheRestIsScanned(bool git)
    {
        using var repo = new GitRepo(init: git);
        repo.Write("src/leak.txt", Tokens.New("phx_") + "\n");
        Fifo(repo.Root, "src/pipe.env");

        var result = git ? Tool.Run(repo.Root, "scan", ".") : Tool.Run(repo.Root, "scan", ".", "--no-git");

        // git lists no FIFO (it holds no data at rest); a walk of the folder meets it and says so.
        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("phx_...", result.Stdout, StringComparison.Ordinal);
        if (!git)
        {
            Assert.Contains("skipped src/pipe.env: a FIFO (named pipe), not a regular file", result.Stderr, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Scan_NamedDeviceOrFifo_Exits2AtOnce()
    {
        using var repo = new GitRepo(init: false);
        var zero = Zero(repo.Root);
        var fifo = Fifo(repo.Root, "named.fifo");

        var device = Tool.Run(repo.Root, "scan", zero);
        var pipe = Tool.Run(repo.Root, "scan", fifo);

        Assert.Equal(2, device.ExitCode);
        Assert.Contains("is a character device, not a regular file", device.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, pipe.ExitCode);
        Assert.Contains("is a FIFO (named pipe), not a regular file", pipe.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void ConfigBaselineAndKeySource_FifoOrDevice_Exit2WithOneLine()
    {
        using var repo = new GitRepo(init: false);
        repo.Write("a.txt", "nothing\n");
        var fifo = Fifo(repo.Root, "pipe");
        var zero = Zero(repo.Root);
        repo.Write("hogguard.yml", "environments:\n  prod:\n    keys:\n      - { name: r, source: \"dotenv:pipe#READER\", purpose: reader }\n");

        var config = Tool.Run(repo.Root, "scan", "a.txt", "-c", fifo);
        var configZero = Tool.Run(repo.Root, "scan", "a.txt", "-c", zero);
        var baseline = Tool.Run(repo.Root, "scan", "a.txt", "--baseline", fifo);
        var source = Tool.Run(repo.Root, "keys", "audit", "--host", "http://127.0.0.1:9");

        foreach (var run in new[] { config, configZero, baseline })
        {
            Assert.True(run.ExitCode == 2, run.ToString());
            Assert.Contains("not a regular file", run.Stderr, StringComparison.Ordinal);
            Assert.Single(run.Stderr.Trim().Split('\n'));
        }

        // A key source that is a FIFO is a missing key, reported, not a hang.
        Assert.Contains("not a regular file", source.Stdout + source.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void WebhookBodyAndAuditSegment_Fifo_Exit2()
    {
        using var repo = new GitRepo(init: false);
        var secret = Path.Combine(repo.Root, "secret");
        File.WriteAllText(secret, "whsec_" + Convert.ToBase64String(new byte[32]));
        var body = Fifo(repo.Root, "body.fifo");
        var dir = Path.Combine(repo.Root, "audit");
        Fifo(dir, "audit-000000000001.jsonl");

        var sign = Tool.Run(repo.Root, "webhook", "sign", "--secret-file", secret, "--body", body, "--id", "m", "--timestamp", "1");
        var verify = Tool.Run(repo.Root, "audit", "verify", dir);

        Assert.True(sign.ExitCode == 2, sign.ToString());
        Assert.Contains("not a regular file", sign.Stderr, StringComparison.Ordinal);
        Assert.True(verify.ExitCode == 2, verify.ToString());
        Assert.Contains("not a regular file", verify.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Config_OverOneMegabyte_Exits2NamingTheLimit()
    {
        using var repo = new GitRepo(init: false);
        repo.Write("a.txt", "nothing\n");
        repo.Write("big.yml", "scan:\n  allow_paths:\n" + string.Concat(Enumerable.Range(0, 60_000).Select(i => $"    - \"dir{i}/**/*.txt\"\n")));

        var result = Tool.Run(repo.Root, "scan", "a.txt", "-c", "big.yml");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("is larger than 1,048,576 bytes", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Scan_NamedSymlinkToAFile_ScansTheTarget()
    {
        using var repo = new GitRepo(init: false);
        repo.Write("real/settings.env", "POSTHOG_KEY=" + Tokens.New("phx_") + "\n");
        File.CreateSymbolicLink(Path.Combine(repo.Root, "link.env"), "real/settings.env");

        var result = Tool.Run(repo.Root, "scan", "link.env");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("phx_...", result.Stdout, StringComparison.Ordinal);
    }
}
