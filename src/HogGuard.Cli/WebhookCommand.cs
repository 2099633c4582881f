using System.CommandLine;
using System.Globalization;
using HogGuard.Webhooks;
using HogGuard.IO;

namespace HogGuard.Cli;

/// <summary><c>hogguard webhook</c>: make secrets, sign and verify deliveries, print a Hog signing template.</summary>
internal sealed class WebhookCommand(CliConsole console)
{
    public Command Create() =>
        new("webhook", "Signed PostHog webhooks: secrets, signing, verification.") { SecretNew(), Sign(), Verify(), HogTemplate() };

    private Command SecretNew()
    {
        var output = new Option<string?>("--output", "-o") { HelpName = "FILE", Description = "Write the new secret to FILE, readable by you only." };
        var print = new Option<bool>("--print") { Description = "Print the secret to standard output instead (it will be on your screen and in logs)." };
        var force = new Option<bool>("--force") { Description = "Replace an existing FILE." };
        var secret = new Command("secret", "Webhook secrets.");
        var create = new Command("new", "Create a Standard Webhooks secret (whsec_ + 32 random bytes).") { output, print, force };
        create.SetRun(console, result =>
        {
            if (result.GetValue(output) is null && !result.GetValue(print))
            {
                throw new UsageException("say where the new secret goes: --output FILE (owner-only file), or --print to show it");
            }

            var value = WebhookKey.NewStandardSecret();
            if (result.GetValue(output) is { } typed)
            {
                var file = console.FullPath(typed);
                ReportOutput.RequireWritableFolder(file, typed, "--output");
                if (File.Exists(file) && !result.GetValue(force))
                {
                    throw new UsageException($"{file} exists; pass --force to replace it (the old secret stops working wherever it is used)");
                }

                AtomicFile.WriteOutput(file, s => s.Write(System.Text.Encoding.UTF8.GetBytes(value + "\n")), UnixFileMode.UserRead | UnixFileMode.UserWrite);
                console.Out.WriteLine($"Wrote a new webhook secret to {typed} (owner-only). Paste it into PostHog's webhook destination and give it to your receiver.");
            }
            else
            {
                console.Out.WriteLine(value);
            }

            return ExitCodes.Clean;
        });
        secret.Subcommands.Add(create);
        return secret;
    }

    private Command Sign()
    {
        var (secretFile, body, scheme) = CommonOptions();
        var id = new Option<string?>("--id") { Description = "Message id (Standard Webhooks; default a new msg_ id)." };
        var timestamp = new Option<long?>("--timestamp") { Description = "Unix seconds (default now)." };
        var format = CliJson.TextOrJson();
        var command = new Command("sign", "Print the signature headers for a body.") { secretFile, body, scheme, id, timestamp, format };
        command.SetRun(console, result =>
        {
            var hex = IsHex(result.GetValue(scheme));
            using var key = ReadKey(result.GetValue(secretFile)!, hex);
            var bytes = ReadBody(result.GetValue(body)!);
            var ts = result.GetValue(timestamp) ?? DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            var stamp = ts.ToString(CultureInfo.InvariantCulture);
            var headers = new List<(string Name, string Value)>();
            if (hex)
            {
                headers.Add(("x-posthog-timestamp", stamp));
                headers.Add(("x-posthog-signature", WebhookSigner.SignHex(key, ts, bytes)));
            }
            else
            {
                var messageId = result.GetValue(id) ?? "msg_" + Guid.NewGuid().ToString("N");
                headers.Add(("webhook-id", messageId));
                headers.Add(("webhook-timestamp", stamp));
                headers.Add(("webhook-signature", WebhookSigner.SignStandard(key, messageId, ts, bytes)));
            }

            if (result.GetValue(format) == "json")
            {
                CliJson.Write(console.Out, w =>
                {
                    w.WriteStartObject();
                    w.WriteStartObject("headers");
                    foreach (var (name, value) in headers)
                    {
                        w.WriteString(name, value);
                    }

                    w.WriteEndObject();
                    w.WriteEndObject();
                });
            }
            else
            {
                foreach (var (name, value) in headers)
                {
                    console.Out.WriteLine($"{name}: {value}");
                }
            }

            return ExitCodes.Clean;
        });
        return command;
    }

    private Command Verify()
    {
        var (secretFile, body, scheme) = CommonOptions();
        var id = new Option<string?>("--id") { Description = "The webhook-id header (Standard Webhooks)." };
        var timestamp = new Option<string>("--timestamp") { Description = "The timestamp header.", Required = true };
        var signature = new Option<string>("--signature") { Description = "The signature header.", Required = true };
        var tolerance = new Option<int>("--tolerance") { Description = "Seconds the timestamp may be from now (default 300).", DefaultValueFactory = _ => 300 };
        var command = new Command("verify", "Check a delivery's signature. Exit 0 valid, 1 refused, 2 bad usage.") { secretFile, body, scheme, id, timestamp, signature, tolerance };
        command.SetRun(console, result =>
        {
            var hex = IsHex(result.GetValue(scheme));
            using var key = ReadKey(result.GetValue(secretFile)!, hex);
            var options = new WebhookVerifierOptions
            {
                Scheme = hex ? WebhookScheme.TimestampedHex : WebhookScheme.StandardWebhooks,
                Tolerance = TimeSpan.FromSeconds(result.GetValue(tolerance)),
            };
            var verdict = new WebhookVerifier(options, [key]).Verify(result.GetValue(id), result.GetValue(timestamp), result.GetValue(signature), ReadBody(result.GetValue(body)!));
            console.Out.WriteLine(verdict.IsValid ? "valid" : $"refused: {verdict.Status}");
            return verdict.IsValid ? ExitCodes.Clean : ExitCodes.Findings;
        });
        return command;
    }

    private Command HogTemplate()
    {
        var command = new Command("hog-template", "Print Hog code for a PostHog webhook destination that signs deliveries (timestamped hex scheme).");
        command.SetRun(console, _ =>
        {
            console.Out.Write(HogTemplateText);
            return ExitCodes.Clean;
        });
        return command;
    }

    internal const string HogTemplateText = """
        // HogGuard: sign webhook deliveries in a PostHog destination (for installs without native signing).
        // Inputs: url (string), signing_secret (string, secret), body (JSON).
        // Verify on the receiver with HogGuard's TimestampedHex scheme (headers below), or
        //   hogguard webhook verify --scheme hex --timestamp T --signature S --secret-file F --body B
        // Check the function names against PostHog's Hog reference for your version.
        let body := jsonStringify(inputs.body)
        let timestamp := toString(toInt(toUnixTimestamp(now())))
        let signature := sha256HmacChainHex([inputs.signing_secret, f'{timestamp}.{body}'])
        let res := fetch(inputs.url, {
          'method': 'POST',
          'headers': {
            'Content-Type': 'application/json',
            'x-posthog-timestamp': timestamp,
            'x-posthog-signature': signature
          },
          'body': body
        })
        if (res.status >= 400) {
          throw Error(f'Webhook delivery failed with status {res.status}')
        }

        """;

    private static (Option<string> SecretFile, Option<string> Body, Option<string> Scheme) CommonOptions()
    {
        var secretFile = new Option<string>("--secret-file") { HelpName = "FILE", Description = "File holding the secret, or '-' for standard input (never a command-line argument).", Required = true };
        var body = new Option<string>("--body") { HelpName = "FILE", Description = "File holding the exact body bytes.", Required = true };
        var scheme = new Option<string>("--scheme") { Description = "standard (Standard Webhooks, whsec_ secret) or hex (timestamped hex, UTF-8 secret).", DefaultValueFactory = _ => "standard" };
        scheme.AcceptOnlyFromAmong("standard", "hex");
        return (secretFile, body, scheme);
    }

    private static bool IsHex(string? scheme) => scheme == "hex";

    private WebhookKey ReadKey(string path, bool hex)
    {
        string text;
        try
        {
            text = (path == "-" ? console.In.ReadToEnd() : RegularFile.ReadAllText(console.FullPath(path), 64 * 1024)).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"cannot read the secret from {path}: {e.Message}");
        }

        try
        {
            return hex ? WebhookKey.FromUtf8Secret("cli", text) : WebhookKey.FromStandardSecret("cli", text);
        }
        catch (FormatException e) when (e.Message.StartsWith("the webhook secret decodes to", StringComparison.Ordinal))
        {
            throw new UsageException($"the secret in {path} is not usable: {e.Message}");
        }
        catch (FormatException)
        {
            throw new UsageException($"the secret in {path} is not usable: a Standard Webhooks secret is whsec_ followed by base64 (use --scheme hex for a plain shared string)");
        }
    }

    private byte[] ReadBody(string path)
    {
        try
        {
            // PostHog's webhook bodies are small; 25 MB is far above any and bounds memory.
            return RegularFile.ReadAllBytes(console.FullPath(path), 25L * 1024 * 1024);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"cannot read the body from {path}: {e.Message}");
        }
    }
}
