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

    /// <summary>The terminal's width in columns when standard output is a terminal; null otherwise.</summary>
    public Func<int?> OutputWidth { get; init; } = () => null;

    /// <summary><c>--color</c> of the running command (auto, always, never); set once the command line is parsed.</summary>
    public string ColorMode { get; set; } = "auto";

    /// <summary>The text report's form: a table at the terminal's width on a terminal, lines otherwise; colour per <see cref="ColorMode"/>.</summary>
    public TextStyle TextStyle(bool toFile)
    {
        var terminal = !toFile && !IsOutputRedirected;
        var colour = ColorMode switch
        {
            "always" => true,
            "never" => false,
            _ => terminal && string.IsNullOrEmpty(GetEnvironmentVariable("NO_COLOR")),
        };
        return new TextStyle(terminal ? OutputWidth() ?? 120 : null, colour);
    }

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
        OutputWidth = () => Console.IsOutputRedirected ? null : Math.Max(Console.WindowWidth, 40),
        WorkingDirectory = Environment.CurrentDirectory,
    };

    /// <summary>A path as the user typed it, made absolute against <see cref="WorkingDirectory"/>.</summary>
    public string FullPath(string path) => Path.GetFullPath(path, WorkingDirectory);

    /// <summary><see cref="FullPath"/> for an optional path.</summary>
    public string? FullPathOrNull(string? path) => path is null ? null : FullPath(path);
}
