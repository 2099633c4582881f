using System.Text.Json;
using HogGuard.SecretStores;

namespace HogGuard.Policy;

/// <summary>Reads a key from where <c>hogguard.yml</c> says it lives. Failures are values (the audit reports them).</summary>
public sealed class KeySourceReader
{
    private readonly string _baseDirectory;
    private readonly Func<string, string?> _environment;
    private readonly string _userSecretsRoot;

    /// <param name="baseDirectory">The configuration file's folder; relative paths start there.</param>
    /// <param name="environment">Reads an environment variable (injected so tests and services can supply their own).</param>
    /// <param name="userSecretsRoot">The user-secrets folder; default as .NET's user secrets use it.</param>
    public KeySourceReader(string baseDirectory, Func<string, string?>? environment = null, string? userSecretsRoot = null)
    {
        _baseDirectory = baseDirectory;
#pragma warning disable RS0030 // The default for callers that pass no environment of their own.
        _environment = environment ?? Environment.GetEnvironmentVariable;
#pragma warning restore RS0030
        _userSecretsRoot = userSecretsRoot ?? SecretStoreFactory.DefaultUserSecretsRoot();
    }

    /// <summary>The value, or why it could not be read.</summary>
    public (string? Value, string? Problem) Read(KeySource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        try
        {
            string? value;
            if (source.Scheme == "env")
            {
                value = _environment(source.Location);
            }
            else
            {
                // The same parsers rotation writes with, so an audit and a rotation read the same value.
                var file = SecretStoreFactory.FileOf(source, _baseDirectory, _userSecretsRoot) ?? throw new InvalidDataException($"unknown source '{source.Scheme}'");
                if (!File.Exists(file))
                {
                    throw new FileNotFoundException($"Could not find file '{file}'.", file);
                }

                value = SecretStoreFactory.For(source, _baseDirectory, _environment, _userSecretsRoot).Read().Current;
            }

            return string.IsNullOrWhiteSpace(value) ? (null, $"{source} is not set") : (value.Trim(), null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or InvalidDataException)
        {
            return (null, $"{source} cannot be read: {e.Message}");
        }
    }

}
