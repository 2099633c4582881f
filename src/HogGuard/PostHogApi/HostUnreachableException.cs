namespace HogGuard.PostHogApi;

/// <summary>No PostHog host answered, so no trustworthy verdict can be given; the message names the host.</summary>
public sealed class HostUnreachableException : Exception
{
    /// <summary>Creates the exception with a message.</summary>
    public HostUnreachableException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the exception that caused it.</summary>
    public HostUnreachableException(string message, Exception inner)
        : base(message, inner)
    {
    }

    /// <summary>Creates the exception with a default message.</summary>
    public HostUnreachableException()
    {
    }
}
