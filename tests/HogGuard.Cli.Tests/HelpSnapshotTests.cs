using HogGuard.Cli.Tests.Infrastructure;
using HogGuard.Testing;

namespace HogGuard.Cli.Tests;

/// <summary>Pins the help text users read (see <see cref="Snapshot"/>).</summary>
public sealed class HelpSnapshotTests
{
    [Theory]
    [InlineData("root", new[] { "--help" })]
    [InlineData("scan", new[] { "scan", "--help" })]
    [InlineData("install-hook", new[] { "install-hook", "--help" })]
    [InlineData("keys-rotate", new[] { "keys", "rotate", "--help" })]
    [InlineData("check", new[] { "check", "--help" })]
    public void Help_MatchesSnapshot(string name, string[] args)
    {
        using var folder = new GitRepo(init: false);
        var result = Tool.Run(folder.Root, args);
        Assert.Equal(0, result.ExitCode);
        Snapshot.Match($"help-{name}.txt", result.Stdout);
    }
}
