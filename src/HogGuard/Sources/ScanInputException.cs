namespace HogGuard.Sources;

/// <summary>Input that cannot be scanned at all (a missing path, not a repository); the message says what and how to fix it.</summary>
public sealed class ScanInputException : Exception
{
    /// <summary>Creates the exception with a message.</summary>
    public ScanInputException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the exception that caused it.</summary>
    public ScanInputException(string message, Exception inner)
        : base(message, inner)
    {
    }

    /// <summary>Creates the exception with a default message.</summary>
    public ScanInputException()
    {
    }
}
