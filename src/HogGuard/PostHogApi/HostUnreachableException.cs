namespace HogGuard.PostHogApi;

/// <summary>No PostHog host answered, so no trustworthy verdict can be given; the message names the host.</summary>
public sealed class HostUnreachableException : Exception
{
    public HostUnreachableException(string message)
        : base(message)
    {
    }

    public HostUnreachableException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public HostUnreachableException()
    {
    }
}
