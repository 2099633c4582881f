namespace HogGuard.Cli;

/// <summary>The exit codes every command keeps to.</summary>
internal static class ExitCodes
{
    /// <summary>Nothing at or above the failure threshold was found.</summary>
    public const int Clean = 0;

    /// <summary>Findings at or above <c>--fail-on</c>, or a failed check.</summary>
    public const int Findings = 1;

    /// <summary>Bad usage or unreadable input: one line on stderr says what and how to fix it.</summary>
    public const int UsageError = 2;

    /// <summary>Interrupted (Ctrl-C): 128 + SIGINT, as shells report it.</summary>
    public const int Cancelled = 130;
}
