namespace HogGuard.Configuration;

/// <summary>What an app uses a key for; it decides which kind of key belongs there.</summary>
public enum KeyPurpose
{
    /// <summary>Sending events: the public project key (<c>phc_</c>).</summary>
    Capture,

    /// <summary>Reading through the private API: a personal key (<c>phx_</c>) with read scopes.</summary>
    Reader,

    /// <summary>Changing data through the private API: a personal key (<c>phx_</c>).</summary>
    Writer,

    /// <summary>Local feature flag evaluation: a project secret key (<c>phs_</c>) or a personal key.</summary>
    Flags,
}
