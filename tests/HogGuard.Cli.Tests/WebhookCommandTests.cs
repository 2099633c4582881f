using HogGuard.Cli.Tests.Infrastructure;

namespace HogGuard.Cli.Tests;

public sealed class WebhookCommandTests
{
    private static Dictionary<string, string> Headers(string stdout) =>
        stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(": ", 2)).ToDictionary(p => p[0], p => p[1].Trim());

    [Fact]
    public void SecretNew_WritesAnOwnerOnlyFileAndNeverPrintsIt()
    {
        using var folder = new GitRepo(init: false);
        var file = Path.Combine(folder.Root, "webhook.secret");

        var result = Tool.Run(folder.Root, "webhook", "secret", "new", "--output", file);
        var again = Tool.Run(folder.Root, "webhook", "secret", "new", "--output", file);

        Assert.Equal(0, result.ExitCode);
        var secret = File.ReadAllText(file).Trim();
        Assert.StartsWith("whsec_", secret, StringComparison.Ordinal);
        Assert.Equal(32, Convert.FromBase64String(secret[6..]).Length);
        Assert.DoesNotContain(secret, result.Stdout + result.Stderr, StringComparison.Ordinal);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        }

        Assert.Equal(2, again.ExitCode);
        Assert.Equal(secret, File.ReadAllText(file).Trim());
    }

    [Fact]
    public void SecretNew_WithoutADestination_Exits2()
    {
        using var folder = new GitRepo(init: false);
        var result = Tool.Run(folder.Root, "webhook", "secret", "new");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--output FILE", result.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("standard")]
    [InlineData("hex")]
    public void SignThenVerify_RoundTrips_AndATamperedBodyIsRefused(string scheme)
    {
        using var folder = new GitRepo(init: false);
        var secretFile = Path.Combine(folder.Root, "secret");
        File.WriteAllText(secretFile, scheme == "hex" ? "shared hog secret" : "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
        folder.Write("body.json", "{\"event\":\"signed_up\"}");
        folder.Write("tampered.json", "{\"event\":\"signed_uq\"}");

        var sign = Tool.Run(folder.Root, "webhook", "sign", "--secret-file", secretFile, "--body", "body.json", "--scheme", scheme);
        var headers = Headers(sign.Stdout);
        var (stampHeader, signatureHeader) = scheme == "hex" ? ("x-posthog-timestamp", "x-posthog-signature") : ("webhook-timestamp", "webhook-signature");
        string[] Args(string body) =>
        [
            "webhook", "verify", "--secret-file", secretFile, "--body", body, "--scheme", scheme,
            "--timestamp", headers[stampHeader], "--signature", headers[signatureHeader],
            .. scheme == "hex" ? Array.Empty<string>() : ["--id", headers["webhook-id"]],
        ];

        var valid = Tool.Run(folder.Root, Args("body.json"));
        var refused = Tool.Run(folder.Root, Args("tampered.json"));

        Assert.Equal(0, sign.ExitCode);
        Assert.Equal((0, "valid"), (valid.ExitCode, valid.Stdout.Trim()));
        Assert.Equal((1, "refused: NoMatchingSignature"), (refused.ExitCode, refused.Stdout.Trim()));
    }

    [Fact]
    public void Verify_SecretFromStandardInput_Works()
    {
        using var folder = new GitRepo(init: false);
        folder.Write("body.json", "{\"test\": 2432232314}");

        var result = Tool.RunWithInput(folder.Root, "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n",
            "webhook", "verify", "--secret-file", "-", "--body", "body.json", "--id", "msg_p5jXN8AQM9LWM0D4loKWxJek",
            "--timestamp", "1614265330", "--signature", "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", "--tolerance", "999999999");

        Assert.Equal((0, "valid"), (result.ExitCode, result.Stdout.Trim()));
    }

    [Fact]
    public void Verify_BadSecret_Exits2WithoutEchoingIt()
    {
        using var folder = new GitRepo(init: false);
        folder.Write("secret", "not-a-whsec secret!");
        folder.Write("body.json", "{}");

        var result = Tool.Run(folder.Root, "webhook", "verify", "--secret-file", "secret", "--body", "body.json", "--id", "m", "--timestamp", "1", "--signature", "v1,x");

        Assert.Equal(2, result.ExitCode);
        Assert.DoesNotContain("not-a-whsec secret!", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_SecretUnder24Bytes_Exits2NamingThePostHogMinimum()
    {
        // PostHog refuses to sign with fewer than 24 key bytes (nodejs/src/cdp/utils/standard-webhooks.ts).
        using var folder = new GitRepo(init: false);
        folder.Write("secret", "whsec_" + Convert.ToBase64String(new byte[16]));
        folder.Write("body.json", "{}");

        var result = Tool.Run(folder.Root, "webhook", "verify", "--secret-file", "secret", "--body", "body.json", "--id", "m", "--timestamp", "1", "--signature", "v1,x");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("decodes to 16 bytes; PostHog signs only with at least 24", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void HogTemplate_SignsWithSha256HmacChainHexInTheVerifiersHeaders()
    {
        using var folder = new GitRepo(init: false);
        var result = Tool.Run(folder.Root, "webhook", "hog-template");
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("sha256HmacChainHex([inputs.signing_secret, f'{timestamp}.{body}'])", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("'x-posthog-signature': signature", result.Stdout, StringComparison.Ordinal);
    }
}
