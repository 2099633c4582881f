using HogGuard.Configuration;
using HogGuard.Sources;

namespace HogGuard.Cli;

/// <summary>Turns failures into one clear line on stderr and exit code 2; the stack trace only with --verbose.</summary>
internal static class CliError
{
    public static int Report(Exception exception, TextWriter error, bool verbose)
    {
        var message = exception switch
        {
            ScanInputException or GitException or ConfigurationException or UsageException or HogGuard.PostHogApi.HostUnreachableException
                or HogGuard.Rotation.RotationException or InvalidDataException or HogGuard.Audit.AuditLogBusyException => exception.Message,
            IOException or UnauthorizedAccessException => $"cannot read or write a file: {exception.Message}",
            _ => $"internal error ({exception.GetType().Name}): {exception.Message}. Please report it, with the output of --verbose.",
        };
        // One redaction for everything printed: a key pasted where a source belongs, or echoed by a
        // parser, reaches the terminal masked.
        error.WriteLine($"hogguard: {HogGuard.Keys.SecretRedaction.Redact(message)}");
        if (verbose)
        {
            error.WriteLine(HogGuard.Keys.SecretRedaction.Redact(exception.ToString()));
        }

        return ExitCodes.UsageError;
    }
}

/// <summary>A combination of options or arguments that cannot work; the message says which and what to do instead.</summary>
internal sealed class UsageException(string message) : Exception(message);
