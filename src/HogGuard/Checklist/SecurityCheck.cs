using HogGuard.Configuration;
using HogGuard.Detection;
using HogGuard.Policy;
using HogGuard.Sources;

namespace HogGuard.Checklist;

/// <summary>What every check is given: the options, the configuration, the scan of the tree, key reading and (with --verify) the live key audit.</summary>
internal sealed record CheckContext(
    ChecklistOptions Options,
    HogGuardConfig Config,
    ScanResult Scan,
    bool IsGit,
    KeySourceReader Reader,
    IReadOnlyList<Finding>? LiveKeys,
    HttpClient Http,
    TimeProvider Time);

/// <summary>One item of the checklist: its number, id and title declared once, and its verdict with evidence and fix.</summary>
internal abstract class SecurityCheck(int number, string id, string title)
{
    public int Number => number;

    public string Id => id;

    public string Title => title;

    public virtual Task<CheckItem> RunAsync(CheckContext c, CancellationToken ct) => Task.FromResult(Run(c));

    /// <summary>The check itself, for checks that need no I/O of their own.</summary>
    protected virtual CheckItem Run(CheckContext c) => throw new NotSupportedException($"check {id} overrides neither Run nor RunAsync");

    protected CheckItem Pass(IReadOnlyList<string> evidence) => new(number, id, title, CheckStatus.Pass, evidence, null);

    protected CheckItem Skip(IReadOnlyList<string> evidence) => new(number, id, title, CheckStatus.Skip, evidence, null);

    protected CheckItem Warn(IReadOnlyList<string> evidence, string? fix) => new(number, id, title, CheckStatus.Warn, evidence, fix);

    protected CheckItem Fail(IReadOnlyList<string> evidence, string fix) => new(number, id, title, CheckStatus.Fail, evidence, fix);
}
