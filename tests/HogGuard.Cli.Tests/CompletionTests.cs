using HogGuard.Testing;
using HogGuard.Cli.Tests.Infrastructure;

namespace HogGuard.Cli.Tests;

/// <summary><c>hogguard completion SHELL</c>: the bash script, sourced by a real bash, completes commands, options and option values by asking the tool.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class CompletionTests : IDisposable
{
    private readonly string _bin = Directory.CreateTempSubdirectory("hogguard-completion-").FullName;

    public void Dispose() => Directory.Delete(_bin, recursive: true);

    [Theory]
    [InlineData("sc", "scan")]
    [InlineData("scan --fail-on ''", "critical high low medium none")]
    [InlineData("scan --fail-on h", "high")]
    [InlineData("audit t", "tail")]
    [InlineData("keys ''", "--color --help --verbose -? -h -v audit rotate rotations")]
    [InlineData("scan --hist", "--history")]
    [InlineData("completion ''", "--color --help --verbose -? -h -v bash fish pwsh zsh")]
    public void Bash_CompletesFromTheToolItself(string typed, string expected)
    {
        using var folder = new GitRepo(init: false);
        var script = Tool.Run(folder.Root, "completion", "bash");
        Assert.Equal(0, script.ExitCode);
        File.WriteAllText(Path.Combine(_bin, "hogguard.bash"), script.Stdout);
        Tool.WriteOnPath(_bin);

        var run = ProcessRunner.Run(
            "bash",
            ["--noprofile", "--norc", "-c", $"source hogguard.bash; COMP_WORDS=(hogguard {typed}); COMP_CWORD=$((${{#COMP_WORDS[@]}} - 1)); _hogguard; echo \"${{COMPREPLY[*]}}\""],
            _bin,
            new Dictionary<string, string> { ["PATH"] = _bin + ":" + Environment.GetEnvironmentVariable("PATH") });

        Assert.True(run.Code == 0, run.Output);
        Assert.Equal(expected, run.Output.Trim());
    }

    [Theory]
    [InlineData("zsh", "compdef _hogguard hogguard")]
    [InlineData("fish", "complete -c hogguard")]
    [InlineData("pwsh", "Register-ArgumentCompleter -Native -CommandName hogguard")]
    public void OtherShells_GetAScriptThatAsksTheTool(string shell, string registration)
    {
        using var folder = new GitRepo(init: false);

        var result = Tool.Run(folder.Root, "completion", shell);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains(registration, result.Stdout, StringComparison.Ordinal);
        Assert.Contains("hogguard __complete --", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownShell_IsRefused()
    {
        using var folder = new GitRepo(init: false);

        var result = Tool.Run(folder.Root, "completion", "tcsh");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("tcsh", result.Stderr, StringComparison.Ordinal);
    }
}
