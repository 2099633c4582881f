using Microsoft.Extensions.Logging;

namespace HogGuard.Testing;

/// <summary>A logger provider that keeps every message (level, category and text), for tests that read what was logged.</summary>
public sealed class ListLoggerProvider : ILoggerProvider
{
    private readonly List<(LogLevel Level, string Category, string Text)> _entries = [];

    /// <summary>The texts logged so far, in order.</summary>
    public List<string> Messages
    {
        get
        {
            lock (_entries)
            {
                return [.. _entries.Select(e => e.Text)];
            }
        }
    }

    /// <summary>Everything logged so far, in order.</summary>
    public List<(LogLevel Level, string Category, string Text)> Entries
    {
        get
        {
            lock (_entries)
            {
                return [.. _entries];
            }
        }
    }

    /// <inheritdoc/>
    public ILogger CreateLogger(string categoryName) => new ListLogger(_entries, categoryName);

    /// <inheritdoc/>
    public void Dispose()
    {
    }

    private sealed class ListLogger(List<(LogLevel, string, string)> entries, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (entries)
            {
                entries.Add((logLevel, category, formatter(state, exception)));
            }
        }
    }
}
