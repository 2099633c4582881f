namespace HogGuard.Configuration;

/// <summary>A configuration or baseline file that cannot be used; the message names the file, the problem and the fix.</summary>
public sealed class ConfigurationException : Exception
{
    /// <summary>Creates the exception with a message.</summary>
    public ConfigurationException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the exception that caused it.</summary>
    public ConfigurationException(string message, Exception inner)
        : base(message, inner)
    {
    }

    /// <summary>Creates the exception with a default message.</summary>
    public ConfigurationException()
    {
    }
}
