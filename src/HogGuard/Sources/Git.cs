using System.ComponentModel;
using System.Diagnostics;
using System.Text;

namespace HogGuard.Sources;

/// <summary>
/// Runs the real <c>git</c> executable, never a shell, with prompts and pagers off and nothing the
/// repository configures that runs a program: no <c>core.fsmonitor</c> command (a repository's
/// <c>.git/config</c> comes with it and is not to be trusted; the commands run here start no hooks,
/// and diffs are asked for with <c>--no-ext-diff --no-textconv</c>).
/// </summary>
internal static class Git
{
    /// <summary>
    /// For <c>git log</c> beside the readers: a 16 MiB delta base cache (96 MiB by default) keeps its
    /// anonymous memory near 20 MiB at no cost in time; narrower pack windows would cost time
    /// (measured on the 15,000-commit benchmark repository: 0.69 s either way with the small cache,
    /// 0.82 s with the windows too) and only save file-backed pages.
    /// </summary>
    public static readonly string[] SmallDeltaCache = ["-c", "core.deltaBaseCacheLimit=16m"];

    /// <summary>
    /// Options that bound git's memory on any repository size: a 16 MiB delta base cache (default
    /// 96 MiB per process) and at most 64 MiB of pack file mapped at once, in 16 MiB windows. On
    /// the 15,000-commit benchmark they cut the scan's process tree from about 660 to 250 MiB at
    /// the same speed (see bench/).
    /// </summary>
    public static readonly string[] BoundedMemory =
        ["-c", "core.deltaBaseCacheLimit=16m", "-c", "core.packedGitLimit=64m", "-c", "core.packedGitWindowSize=16m"];

    public static ProcessStartInfo StartInfo(string workingDirectory, params IEnumerable<string> args)
    {
        var info = new ProcessStartInfo("git")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            CreateNoWindow = true,
        };
        foreach (var setting in (string[])["core.quotePath=false", "core.fsmonitor=false", "core.untrackedCache=false"])
        {
            info.ArgumentList.Add("-c");
            info.ArgumentList.Add(setting);
        }

        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["GIT_TERMINAL_PROMPT"] = "0";
        info.Environment["GIT_PAGER"] = "cat";
        info.Environment["LC_ALL"] = "C";
        // Never fetch missing objects of a partial clone behind the user's back.
        info.Environment["GIT_NO_LAZY_FETCH"] = "1";
        return info;
    }

    public static Process Start(string workingDirectory, params IEnumerable<string> args)
    {
        try
        {
            return Process.Start(StartInfo(workingDirectory, args)) ?? throw new GitException("could not start git");
        }
        catch (Win32Exception e)
        {
            throw new GitException("the git executable was not found on PATH; install git (2.25 or newer) and try again", e);
        }
    }

    /// <summary>Stops a git process that is no longer wanted (its reader failed or the scan was cancelled).</summary>
    public static void TryKill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    /// <summary>Waits for a streaming git command and throws with git's first error line if it failed.</summary>
    public static async Task EnsureSuccessAsync(Process process, Task<string> stderr, string command, string root, CancellationToken cancellationToken)
    {
        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            throw new GitException($"git {command} failed in {root}: {FirstLine(await stderr.ConfigureAwait(false))}; run 'git fsck' to check the repository");
        }
    }

    /// <summary>Runs git to completion and returns its exit code and output.</summary>
    public static (int ExitCode, byte[] Output, string Error) Run(string workingDirectory, params IEnumerable<string> args)
    {
        using var process = Start(workingDirectory, args);
        process.StandardInput.Close();
        var error = process.StandardError.ReadToEndAsync();
        using var output = new MemoryStream();
        process.StandardOutput.BaseStream.CopyTo(output);
        process.WaitForExit();
        return (process.ExitCode, output.ToArray(), error.GetAwaiter().GetResult());
    }

    /// <summary>Runs git and returns its output, or throws with git's first error line.</summary>
    public static byte[] RunChecked(string workingDirectory, params IEnumerable<string> args)
    {
        var list = args.ToList();
        var (code, output, error) = Run(workingDirectory, list);
        if (code != 0)
        {
            throw new GitException($"git {list.FirstOrDefault(a => !a.StartsWith('-'))} failed in {workingDirectory}: {FirstLine(error)}");
        }

        return output;
    }

    public static string FirstLine(string text)
    {
        var line = text.AsSpan().Trim();
        var nl = line.IndexOf('\n');
        return (nl < 0 ? line : line[..nl]).Trim().ToString() is { Length: > 0 } s ? s : "(no message)";
    }

    /// <summary>Splits NUL-separated output (<c>-z</c>) into strings.</summary>
    public static List<string> SplitNul(byte[] output)
    {
        var result = new List<string>();
        var span = output.AsSpan();
        while (span.Length > 0)
        {
            var nul = span.IndexOf((byte)0);
            var part = nul < 0 ? span : span[..nul];
            if (part.Length > 0)
            {
                result.Add(Encoding.UTF8.GetString(part));
            }

            span = nul < 0 ? [] : span[(nul + 1)..];
        }

        return result;
    }

    /// <summary>True when <paramref name="path"/> is inside a work tree.</summary>
    public static bool IsInsideWorkTree(string path)
    {
        try
        {
            var (code, output, _) = Run(path, "rev-parse", "--is-inside-work-tree");
            return code == 0 && Encoding.UTF8.GetString(output).Trim() == "true";
        }
        catch (GitException)
        {
            return false;
        }
    }

    /// <summary>Null when <paramref name="path"/> is a repository, bare or not; else git's reason (e.g. "dubious ownership").</summary>
    public static string? WhyNotRepository(string path)
    {
        var (code, _, error) = Run(path, "rev-parse", "--git-dir");
        return code == 0 ? null : FirstLine(error);
    }
}
