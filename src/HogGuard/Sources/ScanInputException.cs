namespace HogGuard.Sources;

/// <summary>Input that cannot be scanned at all (a missing path, not a repository); the message says what and how to fix it.</summary>
public sealed class ScanInputException : Exception
{
    public ScanInputException(string message)
        : base(message)
    {
    }

    public ScanInputException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public ScanInputException()
    {
    }
}
