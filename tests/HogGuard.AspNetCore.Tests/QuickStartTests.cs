using HogGuard.Testing;

namespace HogGuard.AspNetCore.Tests;

/// <summary>
/// The README's five-minute start, run as written by bash in a fresh folder. The one change: each
/// <c>dotnet run --project P -c Release --</c> becomes <c>dotnet P.dll</c> of the build under test,
/// since building three projects again inside a test would only test the SDK.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class QuickStartTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("hogguard-quick-start-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void ReadmeQuickStart_RunsAsWritten_FromAFreshFolder()
    {
        var script = QuickStartBlock()
            .Replace("dotnet run --project src/HogGuard.Emulator -c Release --", Dll("HogGuard.Emulator.dll"), StringComparison.Ordinal)
            .Replace("dotnet run --project samples/HogGuard.Samples.Service -c Release --", Dll("HogGuard.Samples.Service.dll"), StringComparison.Ordinal)
            .Replace("dotnet run --project src/HogGuard.Cli -c Release --", Dll("hogguard.dll"), StringComparison.Ordinal);
        Assert.DoesNotContain("dotnet run", script, StringComparison.Ordinal);

        var (code, output) = RunBash("trap 'kill $(jobs -p) 2>/dev/null' EXIT\n" + script);

        var logs = string.Join("\n", new[] { "emulator.log", "service.log" }.Select(f => Path.Combine(_folder, "demo", f)).Where(File.Exists).Select(f => $"--- {f}\n{File.ReadAllText(f)}"));
        Assert.True(code == 0, output + logs);
        foreach (var expected in new[] { "Healthy", "{\"id\":1,\"name\":\"weekly\"} 201", "lacks the scope 'insight:write'", " 403", "ok: 1 entries" })
        {
            Assert.True(output.Contains(expected, StringComparison.Ordinal), $"no '{expected}' in:\n{output}{logs}");
        }

        Assert.Matches("PASS.*[Ww]ebhook", output);

        // The values are in the owner-only env file alone: the seed holds hashes and masks.
        var env = Path.Combine(_folder, "demo", "emulator.env");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(env));
        Assert.StartsWith("# EMULATOR-ONLY keys", File.ReadAllText(env), StringComparison.Ordinal);
        var seed = File.ReadAllText(Path.Combine(_folder, "demo", "seed.json"));
        foreach (var line in File.ReadAllLines(env).Where(l => l.Contains("=ph", StringComparison.Ordinal) && !l.Contains("=phc_", StringComparison.Ordinal)))
        {
            var value = line[(line.IndexOf('=', StringComparison.Ordinal) + 1)..];
            Assert.DoesNotContain(value, seed, StringComparison.Ordinal);
            Assert.DoesNotContain(value, output, StringComparison.Ordinal);
        }

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.Combine(_folder, "audit")) & (UnixFileMode)0x1FF);
    }

    [Fact]
    public void EmulatorInit_RefusesToOverwriteWithoutForce()
    {
        var first = RunBash(Dll("HogGuard.Emulator.dll") + " init demo");
        var envBefore = File.ReadAllText(Path.Combine(_folder, "demo", "emulator.env"));
        var again = RunBash(Dll("HogGuard.Emulator.dll") + " init demo");
        var forced = RunBash(Dll("HogGuard.Emulator.dll") + " init demo --force");

        Assert.Equal(0, first.Code);
        Assert.Equal(2, again.Code);
        Assert.Contains("--force", again.Output, StringComparison.Ordinal);
        Assert.Equal(0, forced.Code);
        Assert.NotEqual(envBefore, File.ReadAllText(Path.Combine(_folder, "demo", "emulator.env")));
    }

    [Fact]
    public void EmulatorInit_IntoAFile_IsOneClearError()
    {
        File.WriteAllText(Path.Combine(_folder, "taken"), "x");

        var (code, output) = RunBash(Dll("HogGuard.Emulator.dll") + " init taken/demo");

        Assert.Equal(2, code);
        Assert.Contains("cannot write into taken/demo", output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
    }

    private static string Dll(string name) => "dotnet '" + Path.Combine(AppContext.BaseDirectory, name) + "'";

    private static string QuickStartBlock()
    {
        var readme = File.ReadAllText(Path.Combine(ProcessRunner.RepositoryRoot, "README.md"));
        var marker = readme.IndexOf("<!-- quick-start -->", StringComparison.Ordinal);
        Assert.True(marker >= 0, "README has no quick-start block");
        var start = readme.IndexOf("```sh\n", marker, StringComparison.Ordinal) + "```sh\n".Length;
        var end = readme.IndexOf("```", start, StringComparison.Ordinal);
        return readme[start..end];
    }

    private (int Code, string Output) RunBash(string script) =>
        ProcessRunner.Run("bash", ["-c", script], _folder, timeout: TimeSpan.FromMinutes(3));
}
