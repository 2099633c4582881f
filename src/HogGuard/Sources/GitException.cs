namespace HogGuard.Sources;

/// <summary>The <c>git</c> executable is missing, or refused or failed a command; the message says which and how to fix it.</summary>
public sealed class GitException : Exception
{
    /// <summary>Creates the exception with a message.</summary>
    public GitException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the exception that caused it.</summary>
    public GitException(string message, Exception inner)
        : base(message, inner)
    {
    }

    /// <summary>Creates the exception with a default message.</summary>
    public GitException()
    {
    }
}
