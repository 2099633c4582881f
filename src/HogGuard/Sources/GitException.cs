namespace HogGuard.Sources;

/// <summary>The <c>git</c> executable is missing, or refused or failed a command; the message says which and how to fix it.</summary>
public sealed class GitException : Exception
{
    public GitException(string message)
        : base(message)
    {
    }

    public GitException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public GitException()
    {
    }
}
