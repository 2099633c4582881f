namespace HogGuard.Detection;

/// <summary>How bad a finding is, in increasing order.</summary>
public enum Severity
{
    Low,
    Medium,
    High,
    Critical,
}
