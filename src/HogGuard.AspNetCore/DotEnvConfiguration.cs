using HogGuard.SecretStores;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.FileProviders.Physical;
using Microsoft.Extensions.Primitives;

namespace HogGuard.AspNetCore;

/// <summary>
/// A dotenv file as configuration, read with the parser <c>hogguard keys rotate</c> writes with.
/// Names map as environment variables do: <c>PostHog__WriterKey</c> is <c>PostHog:WriterKey</c>.
/// </summary>
public sealed class DotEnvConfigurationSource : IConfigurationSource
{
    /// <summary>The file's full path.</summary>
    public required string Path { get; init; }

    /// <summary>A missing file at start is no error (default false).</summary>
    public bool Optional { get; init; }

    /// <summary>Read the file again when it changes (default false).</summary>
    public bool ReloadOnChange { get; init; }

    /// <summary>How long after a change the file is read (default 250 ms, as for JSON files), so a write in progress can end.</summary>
    public TimeSpan ReloadDelay { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <inheritdoc/>
    public IConfigurationProvider Build(IConfigurationBuilder builder) => new DotEnvConfigurationProvider(this);
}

/// <summary>
/// Loads a <see cref="DotEnvConfigurationSource"/>. Only a regular file of at most 1 MiB is read: a
/// FIFO or device in its place is refused rather than blocking the start. A reload that cannot read
/// the file (gone for a moment, replaced by something else) keeps the settings it had and raises no
/// change, so a running service never loses its keys to it.
/// </summary>
public sealed class DotEnvConfigurationProvider : ConfigurationProvider, IDisposable
{
    private readonly DotEnvConfigurationSource _source;
    private readonly PhysicalFileProvider? _watcher;
    private readonly IDisposable? _registration;

    /// <summary>A provider for <paramref name="source"/>, watching the file's folder when it reloads.</summary>
    public DotEnvConfigurationProvider(DotEnvConfigurationSource source)
    {
        _source = source ?? throw new ArgumentNullException(nameof(source));
        var folder = System.IO.Path.GetDirectoryName(source.Path);
        if (source.ReloadOnChange && Directory.Exists(folder))
        {
            // The default file provider hides names that start with a dot, which every dotenv file has.
            _watcher = new PhysicalFileProvider(folder, ExclusionFilters.None);
            var name = System.IO.Path.GetFileName(source.Path);
            _registration = ChangeToken.OnChange(() => _watcher.Watch(name), () => _ = ReloadAsync());
        }
    }

    /// <inheritdoc/>
    /// <exception cref="IOException">The file is missing (and not optional), not a regular file, unreadable or over 1 MiB.</exception>
    public override void Load()
    {
        if (!File.Exists(_source.Path) && !Directory.Exists(_source.Path) && _source.Optional)
        {
            Data = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
            return;
        }

        Data = Read();
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _registration?.Dispose();
        _watcher?.Dispose();
    }

    private async Task ReloadAsync()
    {
        await Task.Delay(_source.ReloadDelay).ConfigureAwait(false);
        try
        {
            Data = Read();
        }
        catch (IOException)
        {
            return; // keep what was read last; the next change is read again
        }
        catch (UnauthorizedAccessException)
        {
            return;
        }

        OnReload();
    }

    private Dictionary<string, string?> Read()
    {
        var data = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in DotenvFile.ReadFile(_source.Path))
        {
            data[name.Replace("__", ConfigurationPath.KeyDelimiter, StringComparison.Ordinal)] = value;
        }

        return data;
    }
}
