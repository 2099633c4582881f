using System.Runtime.CompilerServices;
using HogGuard.Cli.Tests.Infrastructure;

namespace HogGuard.Cli.Tests;

/// <summary>
/// Pins the help text users read. On a difference the new text is written beside the snapshot as
/// <c>*.received.txt</c>; review it and copy it over the snapshot if the change is intended.
/// </summary>
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
        AssertSnapshot($"help-{name}.txt", result.Stdout.ReplaceLineEndings("\n"));
    }

    private static void AssertSnapshot(string name, string actual, [CallerFilePath] string source = "")
    {
        var path = Path.Combine(Path.GetDirectoryName(source)!, "Snapshots", name);
        var expected = File.Exists(path) ? File.ReadAllText(path).ReplaceLineEndings("\n") : null;
        if (expected != actual)
        {
            File.WriteAllText(Path.ChangeExtension(path, ".received.txt"), actual);
        }

        Assert.Equal(expected, actual);
    }
}
