using HogGuard.Cli.Tests.Infrastructure;
using HogGuard.Configuration;
using HogGuard.Testing;

namespace HogGuard.Cli.Tests;

/// <summary><c>hogguard init</c>: a commented hogguard.yml proposed from what a repository holds, never a value, and the .gitignore lines it lacks.</summary>
public sealed class InitCommandTests
{
    [Fact]
    public void Init_ProposesEveryPlaceAKeyLives_WithoutAValue_AndIgnoresEnvFiles()
    {
        using var repo = new GitRepo();
        var reader = Tokens.New("phx_");
        var secret = Tokens.New("phs_");
        var project = Tokens.New("phc_");
        repo.Write(".env.example", $"POSTHOG_HOST=https://eu.posthog.com\nPOSTHOG_PROJECT_TOKEN={project}\nPOSTHOG_PERSONAL_API_KEY=\n");
        repo.Write(".env.production", $"export POSTHOG_READER_KEY={reader}\nPOSTHOG_SECRET_KEY=\"{secret}\"\nOTHER=1\n");
        repo.Write("src/Api/appsettings.json", "{ // comments are allowed\n \"PostHog\": { \"Host\": \"https://eu.posthog.com\", \"WriterKey\": \"\" } }");
        repo.Write("src/Api/appsettings.Production.json", "{ \"PostHog\": { \"WriterKey\": \"\" } }");
        repo.Write("src/Api/Api.csproj", "<Project><PropertyGroup><UserSecretsId>api-4a1c</UserSecretsId></PropertyGroup></Project>");
        repo.Write(".github/workflows/deploy.yml", "jobs:\n  deploy:\n    env:\n      POSTHOG_PERSONAL_API_KEY: ${{ secrets.POSTHOG_PERSONAL_API_KEY }}\n");

        var result = Tool.Run(repo.Root, "init");

        Assert.True(result.ExitCode == 0, result.ToString());
        var yaml = File.ReadAllText(Path.Combine(repo.Root, "hogguard.yml"));
        var config = HogGuardConfig.Parse(yaml, Path.Combine(repo.Root, "hogguard.yml"));
        Assert.Empty(Schemas.ConfigProblems(yaml));
        Assert.StartsWith("# hogguard.yml, proposed by 'hogguard init'", yaml, StringComparison.Ordinal);
        string Source(string environment, string name) => config.FindKey(environment, name, "hogguard.yml").Source.ToString();
        Assert.Equal("dotenv:.env.production#POSTHOG_READER_KEY", Source("production", "reader-key"));
        Assert.Equal(KeyPurpose.Reader, config.FindKey("production", "reader-key", "x").Purpose);
        Assert.Equal(KeyPurpose.Flags, config.FindKey("production", "secret-key", "x").Purpose);
        Assert.Equal("env:PostHog__WriterKey", Source("production", "writer-key"));
        Assert.Equal("user-secrets:api-4a1c#PostHog:WriterKey", Source("development", "writer-key"));
        Assert.Equal(KeyPurpose.Capture, config.FindKey("development", "project-token", "x").Purpose);
        Assert.Equal("env:POSTHOG_PERSONAL_API_KEY", Source("ci", "personal-api-key"));
        Assert.DoesNotContain(config.Keys, k => k.Name.Contains("host", StringComparison.Ordinal));
        foreach (var value in new[] { reader, secret, project })
        {
            Assert.DoesNotContain(value, yaml, StringComparison.Ordinal);
        }

        Assert.Contains("its purpose is a guess", yaml, StringComparison.Ordinal);
        var gitignore = File.ReadAllText(Path.Combine(repo.Root, ".gitignore"));
        Assert.Contains(".env.*.local", gitignore, StringComparison.Ordinal);
        Assert.Contains("added to .gitignore", result.Stdout, StringComparison.Ordinal);
        Assert.Equal(3, repo.Git("check-ignore", "--no-index", ".env", ".env.local", ".env.production.local").Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public void Init_RefusesToOverwriteWithoutForce_AndKeepsTheUsersGitignoreLines()
    {
        using var repo = new GitRepo();
        repo.Write(".gitignore", "bin/\n.env\n");
        repo.Write("hogguard.yml", "scan:\n  max_file_size: 1MB\n");

        var refused = Tool.Run(repo.Root, "init");
        var kept = File.ReadAllText(Path.Combine(repo.Root, "hogguard.yml"));
        var forced = Tool.Run(repo.Root, "init", "--force");

        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("--force", refused.Stderr, StringComparison.Ordinal);
        Assert.Equal("scan:\n  max_file_size: 1MB\n", kept);
        Assert.Equal(0, forced.ExitCode);
        var gitignore = File.ReadAllText(Path.Combine(repo.Root, ".gitignore"));
        Assert.StartsWith("bin/\n.env\n", gitignore, StringComparison.Ordinal);
        Assert.Single(gitignore.Split('\n'), l => l == ".env");
        HogGuardConfig.Parse(File.ReadAllText(Path.Combine(repo.Root, "hogguard.yml")), "hogguard.yml");
        Assert.Contains("no PostHog keys found", forced.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void Init_NextToAFifoNamedEnv_DoesNotHang()
    {
        using var repo = new GitRepo();
        var fifo = Path.Combine(repo.Root, ".env");
        Assert.Equal(0, ProcessRunner.Run("mkfifo", [fifo]).Code);

        var result = Tool.Run(repo.Root, "init");

        Assert.True(result.ExitCode == 0, result.ToString());
    }
}
