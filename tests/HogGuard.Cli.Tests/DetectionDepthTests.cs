using HogGuard.Cli.Tests.Infrastructure;

namespace HogGuard.Cli.Tests;

/// <summary>Where secrets hide beyond a plainly written token: env files judged by what they hold, one blob at many paths, unreachable objects.</summary>
public sealed class DetectionDepthTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void CommittedEnvFile_WithOnlyPublicValues_IsMedium_WithASecretHigh(bool history)
    {
        using var repo = new GitRepo();
        var project = Tokens.New("phc_");
        repo.Write("web/.env.local", $"POSTHOG_PROJECT_TOKEN={project}\nPOSTHOG_HOST=https://eu.i.posthog.com\n");
        repo.Commit("public settings only");
        string[] args = history ? ["scan", ".", "--history", "--format", "json"] : ["scan", ".", "--format", "json"];

        var publicOnly = Tool.Run(repo.Root, args);

        Assert.True(publicOnly.ExitCode == 0, publicOnly.ToString());
        var env = Report.Parse(publicOnly).Single("env-file-committed");
        Assert.Equal("medium", env.GetProperty("severity").GetString());
        Assert.Equal($"holds only public values: {project[..4]}...{project[^4..]}", env.GetProperty("detail").GetString());

        repo.Write("api/.env", $"POSTHOG_PERSONAL_API_KEY={Tokens.New("phx_")}\n");
        repo.Commit("a secret");
        var withSecret = Tool.Run(repo.Root, args);

        Assert.Equal(1, withSecret.ExitCode);
        var findings = Report.Parse(withSecret).Findings.Where(f => f.GetProperty("rule").GetString() == "env-file-committed").ToList();
        Assert.Equal(2, findings.Count);
        Assert.Contains(findings, f => f.GetProperty("severity").GetString() == "high" && f.GetProperty("locations")[0].GetProperty("path").GetString() == "api/.env");
        Assert.Contains(findings, f => f.GetProperty("severity").GetString() == "medium" && f.GetProperty("locations")[0].GetProperty("path").GetString() == "web/.env.local");
    }
}
