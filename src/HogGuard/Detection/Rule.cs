namespace HogGuard.Detection;

/// <summary>One thing HogGuard looks for, with the words a report shows about it.</summary>
/// <param name="Id">Stable identifier, used in reports, baselines and SARIF.</param>
/// <param name="Title">One line saying what was found.</param>
/// <param name="Severity">How bad a finding of this rule is.</param>
/// <param name="Fix">What to do about it.</param>
public sealed record Rule(string Id, string Title, Severity Severity, string Fix);
