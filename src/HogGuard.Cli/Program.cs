using System.CommandLine;
using HogGuard.Cli;

var root = new RootCommand("HogGuard: find exposed PostHog secrets in files, staged changes and git history.")
{
    ScanCommand.Create(),
    InstallHookCommand.Create(),
    KeysCommand.Create(),
    WebhookCommand.Create(),
    AuditCommand.Create(),
    CheckCommand.Create(),
};

var parse = root.Parse(args);
if (parse.Errors.Count > 0)
{
    foreach (var error in parse.Errors)
    {
        Console.Error.WriteLine($"hogguard: {error.Message}");
    }

    Console.Error.WriteLine("Run 'hogguard --help' (or 'hogguard scan --help') for usage.");
    return ExitCodes.UsageError;
}

return await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
