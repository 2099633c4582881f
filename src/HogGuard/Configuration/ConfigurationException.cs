namespace HogGuard.Configuration;

/// <summary>A configuration or baseline file that cannot be used; the message names the file, the problem and the fix.</summary>
public sealed class ConfigurationException : Exception
{
    public ConfigurationException(string message)
        : base(message)
    {
    }

    public ConfigurationException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public ConfigurationException()
    {
    }
}
