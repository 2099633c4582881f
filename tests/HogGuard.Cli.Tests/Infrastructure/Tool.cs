using System.Diagnostics;

namespace HogGuard.Cli.Tests.Infrastructure;

/// <summary>Runs the real, built <c>hogguard</c> tool as a separate process.</summary>
internal static class Tool
{
    private static readonly string Assembly = Path.Combine(AppContext.BaseDirectory, "hogguard.dll");

    public static ToolResult Run(string workingDirectory, params string[] args) => RunWithInput(workingDirectory, null, args);

    public static ToolResult RunWithInput(string workingDirectory, string? stdin, params string[] args) =>
        RunWithEnvironment(workingDirectory, stdin, null, args);

    public static ToolResult RunWithEnvironment(string workingDirectory, string? stdin, Dictionary<string, string>? environment, params string[] args)
    {
        var info = new ProcessStartInfo(DotnetHost())
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Assembly);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        foreach (var (key, value) in environment ?? [])
        {
            info.Environment[key] = value;
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            process.StandardInput.Write(stdin);
        }

        process.StandardInput.Close();
        if (!process.WaitForExit(TimeSpan.FromMinutes(3)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"hogguard {string.Join(' ', args)} did not finish");
        }

        var result = new ToolResult(process.ExitCode, stdout.Result, stderr.Result);
        AssertNoTokenLeaked(result);
        return result;
    }

    /// <summary>The one rule of every run: no output ever holds a whole secret.</summary>
    public static void AssertNoTokenLeaked(ToolResult result)
    {
        foreach (var token in Tokens.All)
        {
            Assert.False(result.Stdout.Contains(token, StringComparison.Ordinal), $"stdout holds a whole token:\n{result}");
            Assert.False(result.Stderr.Contains(token, StringComparison.Ordinal), "stderr holds a whole token");
        }
    }

    public static string DotnetHost()
    {
        var current = Environment.ProcessPath;
        return current is not null && Path.GetFileNameWithoutExtension(current) == "dotnet" ? current : "dotnet";
    }
}
