using HogGuard.Cli;

return await CliApp.RunAsync(args, CliConsole.System(), handleInterrupts: true);
