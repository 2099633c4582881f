using System.Runtime.InteropServices;
using HogGuard.Cli;

// Ctrl-C (SIGINT) or SIGTERM cancels the running command, which then says what was left and exits
// 130; a second signal ends the process at once.
using var interrupted = new CancellationTokenSource();
void OnSignal(PosixSignalContext context)
{
    context.Cancel = !interrupted.IsCancellationRequested;
    interrupted.Cancel();
}

using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
return await CliApp.RunAsync(args, CliConsole.System(), interrupted.Token);
