namespace HogGuard.SecretStores;

/// <summary>
/// A key in an environment variable: HogGuard reads it but cannot set it for the service; a
/// rotation hands the new key to the deployer and waits for their confirmation.
/// </summary>
internal sealed class EnvironmentSecretStore(string variable, Func<string, string?> environment) : ISecretStore
{
    public string Description => $"env:{variable}";

    public bool CanWrite => false;

    public string Variable => variable;

    public SecretSlots Read() => new(
        Value(variable),
        Value(variable + SecretStoreFactory.NextSuffix),
        Value(variable + SecretStoreFactory.PreviousSuffix),
        "environment");

    public void Write(SecretSlots basis, string? current, string? next, string? previous) =>
        throw new InvalidOperationException($"HogGuard cannot set the environment variable {variable}; the deployer sets it");

    private string? Value(string name) => environment(name) is { Length: > 0 } value ? value.Trim() : null;
}
