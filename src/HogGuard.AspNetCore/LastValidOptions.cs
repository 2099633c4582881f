using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace HogGuard.AspNetCore;

/// <summary>Options whose reloads HogGuard compares: two values with the same fingerprint are the same settings.</summary>
internal interface IReloadableOptions
{
    /// <summary>Every setting that matters, in one string (kept in memory only, never logged).</summary>
    string Fingerprint();

    /// <summary>Why this value may not replace <paramref name="previous"/> in a running service, though valid on its own.</summary>
    IEnumerable<string> ProblemsReplacing(object previous);
}

/// <summary>
/// Strict until a name's options have passed once (so a bad value still stops the start), then lets
/// the options monitor take every reload: <see cref="LastValidOptions{TOptions}"/> judges reloads, so
/// a bad one is refused and logged instead of throwing on the configuration's change thread and
/// leaving <c>CurrentValue</c> throwing for everyone.
/// </summary>
internal sealed class ReloadTolerantValidator<TOptions>(IValidateOptions<TOptions> inner) : IValidateOptions<TOptions>
    where TOptions : class
{
    private readonly ConcurrentDictionary<string, bool> _accepted = new(StringComparer.Ordinal);

    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        name ??= Options.DefaultName;
        if (_accepted.ContainsKey(name))
        {
            return ValidateOptionsResult.Skip;
        }

        var result = inner.Validate(name, options);
        if (result.Succeeded || result.Skipped)
        {
            _accepted[name] = true;
        }

        return result;
    }

    /// <summary>The real validation, whatever has passed before.</summary>
    public ValidateOptionsResult ValidateReload(string name, TOptions options) => inner.Validate(name, options);
}

/// <summary>
/// The options HogGuard uses, per name: the last value that passed validation. A reload that passes
/// replaces the value whole (the next request uses it) and raises <see cref="Changed"/>; one that does
/// not is refused with one logged error naming the settings (masks only), and the last valid value
/// stays in use: never a half-applied state.
/// </summary>
internal sealed partial class LastValidOptions<TOptions> : IDisposable
    where TOptions : class, IReloadableOptions
{
    private readonly IOptionsMonitor<TOptions> _monitor;
    private readonly ReloadTolerantValidator<TOptions> _validator;
    private readonly ILogger _logger;
    private readonly IDisposable? _subscription;
    private readonly ConcurrentDictionary<string, Versioned> _values = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    public LastValidOptions(IOptionsMonitor<TOptions> monitor, ReloadTolerantValidator<TOptions> validator, ILogger<LastValidOptions<TOptions>> logger)
    {
        _monitor = monitor;
        _validator = validator;
        _logger = logger;
        _subscription = monitor.OnChange(OnReload);
    }

    /// <summary>Raised with the options name after a reload replaced its value.</summary>
    public event Action<string>? Changed;

    /// <summary>The value in use for <paramref name="name"/> and its generation (1 at start, one more per accepted reload).</summary>
    /// <exception cref="OptionsValidationException">The first value read is invalid.</exception>
    public Versioned Get(string? name = null)
    {
        name ??= Options.DefaultName;
        if (_values.TryGetValue(name, out var known))
        {
            return known;
        }

        lock (_gate)
        {
            if (_values.TryGetValue(name, out known))
            {
                return known;
            }

            var first = _monitor.Get(name);
            var result = _validator.ValidateReload(name, first);
            if (result.Failed)
            {
                throw new OptionsValidationException(name, typeof(TOptions), result.Failures);
            }

            known = new Versioned(first, 1);
            _values[name] = known;
            return known;
        }
    }

    public void Dispose() => _subscription?.Dispose();

    internal void OnReload(TOptions candidate, string? name)
    {
        name ??= Options.DefaultName;
        lock (_gate)
        {
            if (!_values.TryGetValue(name, out var current))
            {
                return; // never used yet: its first Get reads and validates the new value
            }

            var result = _validator.ValidateReload(name, candidate);
            var failures = (result.Failed ? result.Failures : []).Concat(candidate.ProblemsReplacing(current.Value)).ToList();
            if (failures.Count > 0)
            {
                LogReloadRefused(_logger, Label(name), string.Join(" ", failures));
                return;
            }

            if (candidate.Fingerprint() == current.Value.Fingerprint())
            {
                return;
            }

            _values[name] = new Versioned(candidate, current.Generation + 1);
            LogReloaded(_logger, Label(name), current.Generation + 1);
        }

        Changed?.Invoke(name);
    }

    private static string Label(string name) => name.Length == 0 ? typeof(TOptions).Name : $"{typeof(TOptions).Name} '{name}'";

    /// <summary>A value and the generation it was accepted as.</summary>
    internal sealed record Versioned(TOptions Value, long Generation);

    [LoggerMessage(EventId = 5201, Level = LogLevel.Error, Message = "Reloaded {Options} refused; the last valid settings stay in use: {Reasons}")]
    private static partial void LogReloadRefused(ILogger logger, string options, string reasons);

    [LoggerMessage(EventId = 5202, Level = LogLevel.Information, Message = "Reloaded {Options} in use (generation {Generation})")]
    private static partial void LogReloaded(ILogger logger, string options, long generation);
}

/// <summary>Registers a <see cref="LastValidOptions{TOptions}"/> with its reload-tolerant validator, once per collection.</summary>
internal static class LastValidOptionsRegistration
{
    public static void AddLastValidOptions<TOptions>(this IServiceCollection services, IValidateOptions<TOptions> validator)
        where TOptions : class, IReloadableOptions
    {
        services.TryAddSingleton(new ReloadTolerantValidator<TOptions>(validator));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TOptions>, ReloadTolerantValidator<TOptions>>(
            provider => provider.GetRequiredService<ReloadTolerantValidator<TOptions>>()));
        services.TryAddSingleton<LastValidOptions<TOptions>>();
    }
}
