using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using HogGuard.Cli.Tests.Infrastructure;
using HogGuard.Testing;

namespace HogGuard.Cli.Tests;

/// <summary>Secrets written encoded, end to end on a repository the test builds, in the tree and in history.</summary>
public sealed class EncodedSecretTests
{
    private static string B64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void EachEncoding_IsFound_AndSaysHowItWasEncoded(bool history)
    {
        using var repo = new GitRepo();
        var k8s = Tokens.New("phx_");
        var docker = Tokens.New("phx_");
        var basic = Tokens.New("phx_");
        var json = Tokens.New("phs_");
        var url = Tokens.New("phx_");
        var escaped = Tokens.New("phx_");
        repo.Write("k8s/secret.yaml", $"apiVersion: v1\nkind: Secret\nmetadata:\n  name: posthog\ndata:\n  POSTHOG_PERSONAL_API_KEY: {B64(k8s)}\n");
        var dockerConfig = $"{{\"auths\":{{\"registry.example.test\":{{\"auth\":\"{B64("ci:" + docker)}\"}}}}}}";
        repo.Write("k8s/pull-secret.yaml", $"apiVersion: v1\nkind: Secret\ntype: kubernetes.io/dockerconfigjson\ndata:\n  .dockerconfigjson: {B64(dockerConfig)}\n");
        repo.Write("scripts/export.sh", $"curl -H \"Authorization: Basic {B64("api:" + basic)}\" https://app.example.test/export\n");
        repo.Write("config/settings.json", $"{{\n  \"posthog\": {{ \"key\": \"{B64(json)}\" }}\n}}\n");
        repo.Write("logs/access.log", $"GET /callback?next=%2Fhome&key=%70%68%78%5F{url[4..]} 200\n");
        repo.Write("notebooks/setup.ipynb", $"{{\"cells\": [{{\"source\": [\"key = \\\"\\u0070hx_{escaped[4..]}\\\"\"]}}]}}\n");
        repo.Commit("encoded secrets");
        string[] args = history ? ["scan", ".", "--history", "-f", "json"] : ["scan", ".", "-f", "json"];

        var result = Tool.Run(repo.Root, args);

        Assert.True(result.ExitCode == 1, result.ToString());
        var report = Report.Parse(result);
        foreach (var (token, path, line, encoding) in new[]
        {
            (k8s, "k8s/secret.yaml", 6, "base64"),
            (docker, "k8s/pull-secret.yaml", 5, "base64+base64"),
            (basic, "scripts/export.sh", 1, "base64"),
            (json, "config/settings.json", 2, "base64"),
            (url, "logs/access.log", 1, "percent"),
            (escaped, "notebooks/setup.ipynb", 1, "unicode-escape"),
        })
        {
            var location = Assert.Single(report.ByFingerprint(TestTokens.Sha256Prefix(token)).GetProperty("locations").EnumerateArray());
            Assert.Equal(path, location.GetProperty("path").GetString());
            Assert.Equal(line, location.GetProperty("line").GetInt32());
            Assert.Equal(encoding, location.GetProperty("encoding").GetString());
            Assert.Equal(history, location.TryGetProperty("commit", out var commit) && commit.ValueKind == JsonValueKind.String);
        }

        Tool.AssertNoTokenLeaked(result);
        var text = Tool.Run(repo.Root, history ? ["scan", ".", "--history"] : ["scan", "."]);
        Assert.Contains("k8s/pull-secret.yaml:5:", text.Stdout, StringComparison.Ordinal);
        Assert.Contains("[base64+base64]", text.Stdout, StringComparison.Ordinal);
        Tool.AssertNoTokenLeaked(text);
    }
}

/// <summary>Archives in the tree and in history: members scanned as files, with limits that turn bombs into notes.</summary>
public sealed class ArchiveTests
{
    private static byte[] Zip(params (string Name, byte[] Content)[] members)
    {
        using var output = new MemoryStream();
        using (var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, content) in members)
            {
                using var entry = zip.CreateEntry(name, CompressionLevel.Optimal).Open();
                entry.Write(content);
            }
        }

        return output.ToArray();
    }

    private static byte[] Tgz(params (string Name, byte[] Content)[] members)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true))
        using (var tar = new TarWriter(gzip, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var (name, content) in members)
            {
                tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(content) });
            }
        }

        return output.ToArray();
    }

    private static byte[] Gz(byte[] content)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(content);
        }

        return output.ToArray();
    }

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    private static void WriteBytes(GitRepo repo, string path, byte[] content)
    {
        var full = Path.Combine(repo.Root, path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllBytes(full, content);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Members_OfZipJarTgzAndGz_AreScanned_NestedOnce_AndBombsAreNotes(bool history)
    {
        using var repo = new GitRepo();
        var inZip = Tokens.New("phs_");
        var inJar = Tokens.New("phx_");
        var inTgz = Tokens.New("pha_");
        var inGz = Tokens.New("phr_");
        var afterBomb = Tokens.New("phx_");
        var tooDeep = Tokens.New("phx_");
        WriteBytes(repo, "dist/bundle.zip", Zip(("config/.env", Utf8($"POSTHOG_PROJECT_SECRET_API_KEY={inZip}\n"))));
        var jar = Zip(("application.properties", Utf8($"posthog.key={inJar}\n")));
        WriteBytes(repo, "lib/plugins.zip", Zip(("readme.txt", Utf8("plugins\n")), ("lib/inner.jar", jar)));
        WriteBytes(repo, "packages/pkg.tgz", Tgz(("package/index.js", Utf8($"export const token = '{inTgz}';\n"))));
        WriteBytes(repo, "logs/app.log.gz", Gz(Utf8($"refresh={inGz}\n")));
        // 64 MB of zeros packs to about 64 KB: far over the 100:1 ratio. The member after it is still read.
        WriteBytes(repo, "bomb.zip", Zip(("zeros.bin", new byte[64 << 20]), ("after.txt", Utf8($"key={afterBomb}\n"))));
        WriteBytes(repo, "deep.zip", Zip(("one.zip", Zip(("two.zip", Zip(("three.txt", Utf8($"key={tooDeep}\n"))))))));
        repo.Commit("build outputs");
        string[] args = history ? ["scan", ".", "--history", "-f", "json"] : ["scan", ".", "-f", "json"];

        var result = Tool.Run(repo.Root, args);

        Assert.True(result.ExitCode == 1, result.ToString());
        var report = Report.Parse(result);
        foreach (var (token, path) in new[]
        {
            (inZip, "dist/bundle.zip!config/.env"),
            (inJar, "lib/plugins.zip!lib/inner.jar!application.properties"),
            (inTgz, "packages/pkg.tgz!package/index.js"),
            (inGz, "logs/app.log.gz!app.log"),
            (afterBomb, "bomb.zip!after.txt"),
        })
        {
            var location = Assert.Single(report.ByFingerprint(TestTokens.Sha256Prefix(token)).GetProperty("locations").EnumerateArray());
            Assert.Equal(path, location.GetProperty("path").GetString());
            Assert.Equal(1, location.GetProperty("line").GetInt32());
        }

        Assert.DoesNotContain(report.Findings, f => f.GetProperty("fingerprint").GetString() == TestTokens.Sha256Prefix(tooDeep));
        var warnings = report.Warnings;
        Assert.Contains(warnings, w => w.StartsWith("bomb.zip!zeros.bin: skipped: it unpacks to over 100 times", StringComparison.Ordinal));
        Assert.Contains(warnings, w => w.StartsWith("deep.zip!one.zip!two.zip: not opened: archives nested more than 2 deep", StringComparison.Ordinal));
        Tool.AssertNoTokenLeaked(result);

        var off = Tool.Run(repo.Root, [.. args, "--no-archives"]);
        Assert.True(off.ExitCode == 0, off.ToString());
        Assert.DoesNotContain(Report.Parse(off).Findings, f => f.GetProperty("locations")[0].GetProperty("path").GetString()!.Contains('!', StringComparison.Ordinal));
    }

    [Fact]
    public void ArchiveMaxSize_StopsReadingWithANote_AndKeepsWhatWasFound()
    {
        using var repo = new GitRepo();
        var early = Tokens.New("phx_");
        var late = Tokens.New("phx_");
        var filler = Utf8(string.Concat(Enumerable.Range(0, 40_000).Select(i => $"line {i} of ordinary text\n")));
        WriteBytes(repo, "big.zip", Zip(("a.txt", Utf8($"key={early}\n")), ("b.txt", filler), ("c.txt", filler), ("d.txt", Utf8($"key={late}\n"))));
        repo.Commit("big");

        var result = Tool.Run(repo.Root, "scan", ".", "-f", "json", "--archive-max-size", "1MB");

        var report = Report.Parse(result);
        report.ByFingerprint(TestTokens.Sha256Prefix(early));
        Assert.DoesNotContain(report.Findings, f => f.GetProperty("fingerprint").GetString() == TestTokens.Sha256Prefix(late));
        Assert.Contains(report.Warnings, w => w.StartsWith("big.zip: stopped after 1,048,576 bytes unpacked", StringComparison.Ordinal));

        var bad = Tool.Run(repo.Root, "scan", ".", "--archive-max-size", "lots");
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("--archive-max-size 'lots' is not a size", bad.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void DamagedArchive_IsANote_NotACrash()
    {
        using var repo = new GitRepo();
        var good = Zip(("a.txt", Utf8("hello\n")));
        var damaged = good.ToArray();
        damaged.AsSpan(30, damaged.Length - 40).Fill(0x5A); // the local header survives, the rest is noise
        WriteBytes(repo, "damaged.zip", damaged);
        WriteBytes(repo, "damaged.tgz", [0x1F, 0x8B, 0x08, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
        repo.Commit("damaged");

        var result = Tool.Run(repo.Root, "scan", ".", "-f", "json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var warnings = Report.Parse(result).Warnings;
        Assert.Contains(warnings, w => w.StartsWith("damaged.zip: could not read it as an archive", StringComparison.Ordinal));
        Assert.Contains(warnings, w => w.StartsWith("damaged.tgz: could not read it as an archive", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ArchiveOnStandardInput_IsOpened()
    {
        var token = Tokens.New("phx_");
        var zip = Zip(("settings.env", Utf8($"POSTHOG_PERSONAL_API_KEY={token}\n")));
        using var process = Tool.Start("scan", "-", "-f", "json");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardInput.BaseStream.WriteAsync(zip);
        process.StandardInput.Close();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));

        var result = new ToolResult(process.ExitCode, await stdout, await stderr);
        Assert.True(result.ExitCode == 1, result.ToString());
        var location = Report.Parse(result).ByFingerprint(TestTokens.Sha256Prefix(token)).GetProperty("locations")[0];
        Assert.Equal("<stdin>!settings.env", location.GetProperty("path").GetString());
        Tool.AssertNoTokenLeaked(result);
    }
}
