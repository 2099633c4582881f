using HogGuard.Emulator;

// An offline PostHog: dotnet run --project src/HogGuard.Emulator -- --urls http://127.0.0.1:8010 --seed seed.json
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
        Console.Error.WriteLine($"hogguard-emulator: cannot use seed file {path}: {e.Message}");
        return 2;
    }

    args = [.. args[..seedIndex], .. args[(seedIndex + 2)..]];
}

var app = EmulatorApp.Build(args, seedJson);
app.Lifetime.ApplicationStarted.Register(() => Console.WriteLine($"HogGuard emulator listening on {string.Join(", ", app.Urls)}"));
await app.RunAsync();
return 0;
