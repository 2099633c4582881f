using HogGuard.SecretStores;
using Microsoft.Extensions.Configuration;

namespace HogGuard.AspNetCore;

/// <summary>
/// A dotenv file as configuration, read with the parser <c>hogguard keys rotate</c> writes with.
/// Names map as environment variables do: <c>PostHog__WriterKey</c> is <c>PostHog:WriterKey</c>.
/// </summary>
public sealed class DotEnvConfigurationSource : FileConfigurationSource
{
    /// <inheritdoc/>
    public override IConfigurationProvider Build(IConfigurationBuilder builder)
    {
        EnsureDefaults(builder);
        return new DotEnvConfigurationProvider(this);
    }
}

/// <summary>Loads a <see cref="DotEnvConfigurationSource"/>; reloads with the file when asked to.</summary>
public sealed class DotEnvConfigurationProvider(DotEnvConfigurationSource source) : FileConfigurationProvider(source)
{
    /// <inheritdoc/>
    public override void Load(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        var data = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in DotenvFile.Read(buffer.GetBuffer().AsSpan(0, (int)buffer.Length)))
        {
            data[name.Replace("__", ConfigurationPath.KeyDelimiter, StringComparison.Ordinal)] = value;
        }

        Data = data;
    }
}
