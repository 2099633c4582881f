namespace HogGuard.Cli;

/// <summary>
/// Everything a command touches outside itself: standard streams, the terminal, the working folder
/// and the environment. <see cref="System"/> is the real process; tests give their own, so commands
/// run in-process and side by side.
/// </summary>
internal sealed class CliConsole
{
    public required TextWriter Out { get; init; }

    public required TextWriter Error { get; init; }

    public required TextReader In { get; init; }

    /// <summary>Standard input as bytes (scans of '-').</summary>
    public required Func<Stream> OpenInput { get; init; }

    /// <summary>Reads one key without echo, for secrets typed at a terminal.</summary>
    public Func<ConsoleKeyInfo> ReadKey { get; init; } = () => throw new InvalidOperationException("no terminal to read a key from");

    public bool IsInputRedirected { get; init; } = true;

    public bool IsOutputRedirected { get; init; } = true;

    public bool IsErrorRedirected { get; init; } = true;

    /// <summary>The folder relative paths start from.</summary>
    public required string WorkingDirectory { get; init; }

    public Func<string, string?> GetEnvironmentVariable { get; init; } = Environment.GetEnvironmentVariable;

    /// <summary>The process's own console, folder and environment.</summary>
    public static CliConsole System() => new()
    {
        Out = Console.Out,
        Error = Console.Error,
        In = Console.In,
        OpenInput = Console.OpenStandardInput,
        ReadKey = () => Console.ReadKey(intercept: true),
        IsInputRedirected = Console.IsInputRedirected,
        IsOutputRedirected = Console.IsOutputRedirected,
        IsErrorRedirected = Console.IsErrorRedirected,
        WorkingDirectory = Environment.CurrentDirectory,
    };

    /// <summary>A path as the user typed it, made absolute against <see cref="WorkingDirectory"/>.</summary>
    public string FullPath(string path) => Path.GetFullPath(path, WorkingDirectory);

    /// <summary><see cref="FullPath"/> for an optional path.</summary>
    public string? FullPathOrNull(string? path) => path is null ? null : FullPath(path);
}
