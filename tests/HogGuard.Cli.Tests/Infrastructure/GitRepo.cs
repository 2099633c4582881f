using System.Diagnostics;

namespace HogGuard.Cli.Tests.Infrastructure;

/// <summary>A real git repository in a temporary folder, driven through the real git executable.</summary>
public sealed class GitRepo : IDisposable
{
    private static long _clock = 1_700_000_000;

    public GitRepo(bool init = true)
    {
        Root = Directory.CreateTempSubdirectory("hogguard-cli-").FullName;
        if (init)
        {
            Git("init", "-q", "-b", "main");
            Git("config", "user.name", "Test Author");
            Git("config", "user.email", "author@example.com");
            Git("config", "commit.gpgsign", "false");
        }
    }

    public string Root { get; }

    public void Write(string path, string content)
    {
        if (Path.GetFileName(path) == "hogguard.yml")
        {
            AssertSchemaAgrees(content);
        }

        var full = Path.Combine(Root, path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllText(full, content);
    }

    /// <summary>A hogguard.yml that HogGuard accepts must be valid against schemas/hogguard.schema.json too.</summary>
    private static void AssertSchemaAgrees(string content)
    {
        try
        {
            HogGuard.Configuration.HogGuardConfig.Parse(content, "hogguard.yml");
        }
        catch (HogGuard.Configuration.ConfigurationException)
        {
            return;
        }

        var problems = HogGuard.Testing.Schemas.ConfigProblems(content);
        Assert.True(problems.Count == 0, $"HogGuard accepts this hogguard.yml but its schema refuses it:\n{string.Join("\n", problems)}\n{content}");
    }

    public void Delete(string path) => File.Delete(Path.Combine(Root, path));

    /// <summary>Stages everything and commits, with a distinct, increasing date; returns the commit hash.</summary>
    public string Commit(string message)
    {
        Git("add", "-A");
        var date = $"@{Interlocked.Add(ref _clock, 3600)} +0000";
        Git(new Dictionary<string, string> { ["GIT_AUTHOR_DATE"] = date, ["GIT_COMMITTER_DATE"] = date }, "commit", "-q", "--allow-empty", "-m", message);
        return Git("rev-parse", "HEAD").Trim();
    }

    public string Git(params string[] args) => Git(null, args);

    /// <summary>Runs git with <paramref name="input"/> on its standard input.</summary>
    public string GitWithInput(string input, params string[] args)
    {
        var info = new ProcessStartInfo("git") { WorkingDirectory = Root, RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        process.StandardInput.Write(input);
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode == 0 ? output : throw new InvalidOperationException($"git {string.Join(' ', args)} failed");
    }

    public string Git(Dictionary<string, string>? environment, params string[] args)
    {
        var (code, output, error) = RunGit(Root, environment, args);
        if (code != 0)
        {
            throw new InvalidOperationException($"git {string.Join(' ', args)} failed: {error}");
        }

        return output;
    }

    public static (int Code, string Output, string Error) RunGit(string directory, Dictionary<string, string>? environment, params string[] args)
    {
        var info = new ProcessStartInfo("git")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in environment ?? [])
        {
            info.Environment[key] = value;
        }

        using var process = Process.Start(info)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output, error.Result);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
