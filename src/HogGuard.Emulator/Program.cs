using HogGuard.Emulator;

// An offline PostHog: dotnet run --project src/HogGuard.Emulator -- --urls http://127.0.0.1:8010 --seed seed.json
// [--ingestion-urls http://127.0.0.1:8011]; or: init DIR, for a seed with fresh keys and their values in DIR/emulator.env
if (args.Length > 0 && args[0] == "init")
{
    return DemoInit.Run(args[1..], Console.Out, Console.Error);
}

var seedIndex = Array.IndexOf(args, "--seed");
string? seedJson = null;
if (seedIndex >= 0)
{
    if (seedIndex + 1 >= args.Length)
    {
        Console.Error.WriteLine("hogguard-emulator: --seed needs a file path");
        return 2;
    }

    var path = args[seedIndex + 1];
    try
    {
        seedJson = EmulatorApp.Validate(File.ReadAllText(path));
    }
    catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
    {
        Console.Error.WriteLine($"hogguard-emulator: cannot use seed file {path}: {HogGuard.Keys.SecretRedaction.Redact(e.Message)}");
        return 2;
    }

    args = [.. args[..seedIndex], .. args[(seedIndex + 2)..]];
}

// --ingestion-urls: also listen there as PostHog Cloud's ingestion host; the --urls ports then play
// the app host only (capture and flags asked there redirect to a login page, as on us.posthog.com).
var appOnlyPorts = new List<int>();
var ingestionIndex = Array.IndexOf(args, "--ingestion-urls");
if (ingestionIndex >= 0)
{
    var urlsIndex = Array.IndexOf(args, "--urls");
    if (ingestionIndex + 1 >= args.Length || urlsIndex < 0 || urlsIndex + 1 >= args.Length)
    {
        Console.Error.WriteLine("hogguard-emulator: --ingestion-urls needs URLs, and --urls for the app host beside it");
        return 2;
    }

    foreach (var url in args[urlsIndex + 1].Split(';', StringSplitOptions.RemoveEmptyEntries))
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Port == 0)
        {
            Console.Error.WriteLine($"hogguard-emulator: --urls '{url}' needs a fixed port when --ingestion-urls is given");
            return 2;
        }

        appOnlyPorts.Add(uri.Port);
    }

    args[urlsIndex + 1] = args[urlsIndex + 1] + ";" + args[ingestionIndex + 1];
    args = [.. args[..ingestionIndex], .. args[(ingestionIndex + 2)..]];
}

var app = EmulatorApp.Build(args, seedJson, appOnlyPorts: appOnlyPorts);
app.Lifetime.ApplicationStarted.Register(() => Console.WriteLine($"HogGuard emulator listening on {string.Join(", ", app.Urls)}"));
await app.RunAsync();
return 0;
