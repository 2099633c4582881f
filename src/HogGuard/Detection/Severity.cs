namespace HogGuard.Detection;

/// <summary>How bad a finding is, in increasing order.</summary>
public enum Severity
{
    /// <summary>Worth knowing; nothing is exposed (a public token).</summary>
    Low,
    /// <summary>A weakness that makes a leak likelier or worse.</summary>
    Medium,
    /// <summary>A secret or a policy breach that needs action.</summary>
    High,
    /// <summary>A secret that gives access to data: rotate it now.</summary>
    Critical,
}
