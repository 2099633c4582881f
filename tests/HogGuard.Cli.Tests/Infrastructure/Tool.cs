using System.Diagnostics;
using System.Text;
using HogGuard.Testing;

namespace HogGuard.Cli.Tests.Infrastructure;

/// <summary>
/// Runs <c>hogguard</c>: in this process through <see cref="CliApp"/> with its own console, folder
/// and environment (fast, and side by side with other tests), or as a real process where only a
/// process can show the behaviour (<see cref="RunProcess"/>): being killed, PATH and HOME, hooks.
/// </summary>
internal static class Tool
{
    private static readonly string Assembly = Path.Combine(AppContext.BaseDirectory, "hogguard.dll");

    /// <summary>Variables only a real process sees: the fault point kills the process; PATH and HOME are read by the runtime and by git.</summary>
    private static readonly string[] ProcessOnlyVariables = [RotateCommand.FaultVariable, "PATH", "HOME"];

    public static ToolResult Run(string workingDirectory, params string[] args) => RunWithInput(workingDirectory, null, args);

    public static ToolResult RunWithInput(string workingDirectory, string? stdin, params string[] args) =>
        RunWithEnvironment(workingDirectory, stdin, null, args);

    public static ToolResult RunWithEnvironment(string workingDirectory, string? stdin, Dictionary<string, string>? environment, params string[] args) =>
        RunInProcess(workingDirectory, stdin, environment, terminalWidth: null, args);

    /// <summary>Runs as if standard output were a terminal <paramref name="width"/> columns wide.</summary>
    public static ToolResult RunOnTerminal(string workingDirectory, int width, Dictionary<string, string>? environment, params string[] args) =>
        RunInProcess(workingDirectory, null, environment, width, args);

    private static ToolResult RunInProcess(string workingDirectory, string? stdin, Dictionary<string, string>? environment, int? terminalWidth, string[] args)
    {
        if (environment is not null && ProcessOnlyVariables.Any(environment.ContainsKey))
        {
            return RunProcess(workingDirectory, stdin, environment, args);
        }

        var stdout = new StringWriter { NewLine = "\n" };
        var stderr = new StringWriter { NewLine = "\n" };
        var input = stdin ?? string.Empty;
        var console = new CliConsole
        {
            Out = TextWriter.Synchronized(stdout),
            Error = TextWriter.Synchronized(stderr),
            In = new StringReader(input),
            OpenInput = () => new MemoryStream(Encoding.UTF8.GetBytes(input)),
            WorkingDirectory = workingDirectory,
            GetEnvironmentVariable = name => environment?.GetValueOrDefault(name) ?? Environment.GetEnvironmentVariable(name),
            IsOutputRedirected = terminalWidth is null,
            OutputWidth = () => terminalWidth,
        };
        var run = Task.Run(() => CliApp.RunAsync(args, console));
        if (!run.Wait(TimeSpan.FromMinutes(3)))
        {
            throw new TimeoutException($"hogguard {string.Join(' ', args)} did not finish");
        }

        var result = new ToolResult(run.Result, stdout.ToString(), stderr.ToString());
        AssertNoTokenLeaked(result);
        AssertReportsMatchSchemas(workingDirectory, args, result);
        return result;
    }

    /// <summary>Starts the built tool as a process with every stream redirected, for tests that talk to it while it runs.</summary>
    public static Process Start(params string[] args)
    {
        var info = new ProcessStartInfo(DotnetHost()) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Assembly);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        return Process.Start(info)!;
    }

    /// <summary>Writes an executable <c>hogguard</c> into <paramref name="folder"/> that runs the built tool, for tests that put it on PATH.</summary>
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public static void WriteOnPath(string folder)
    {
        var wrapper = Path.Combine(folder, "hogguard");
        File.WriteAllText(wrapper, $"#!/bin/sh\nexec '{DotnetHost()}' '{Assembly}' \"$@\"\n");
        File.SetUnixFileMode(wrapper, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    /// <summary>The built tool as a separate process, with the given variables added to this one's.</summary>
    public static ToolResult RunProcess(string workingDirectory, string? stdin, Dictionary<string, string>? environment, params string[] args)
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
        AssertReportsMatchSchemas(workingDirectory, args, result);
        return result;
    }

    /// <summary>
    /// Every JSON report a run writes (scan, keys audit, check; on stdout or with -o) is valid
    /// against its schema in schemas/, so the schemas and the tool cannot drift apart.
    /// </summary>
    private static void AssertReportsMatchSchemas(string workingDirectory, string[] args, ToolResult result)
    {
        var schema = args switch
        {
            ["scan", ..] or ["keys", "audit", ..] => Schemas.Report,
            ["check", ..] => Schemas.Check,
            _ => null,
        };
        if (schema is null || result.ExitCode == 2 || OptionValue(args, "-f", "--format") != "json")
        {
            return;
        }

        var output = OptionValue(args, "-o", "--output") is { } o ? Path.Combine(workingDirectory, o) : null;

        // Only a regular file is read back: a test may write its report to a FIFO, which a second reader would wait on for ever.
        var text = output is null ? result.Stdout
            : HogGuard.IO.UnixOwnership.KindOf(output) == HogGuard.IO.UnixFileKind.Regular ? File.ReadAllText(output) : string.Empty;
        if (text.Length > 0)
        {
            Schemas.AssertValid(schema, text);
        }
    }

    private static string? OptionValue(string[] args, string shortName, string longName)
    {
        for (var i = 0; i < args.Length; i++)
        {
            if ((args[i] == shortName || args[i] == longName) && i + 1 < args.Length)
            {
                return args[i + 1];
            }

            if (args[i].StartsWith(longName + "=", StringComparison.Ordinal))
            {
                return args[i][(longName.Length + 1)..];
            }
        }

        return null;
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
