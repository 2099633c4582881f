using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace HogGuard.AspNetCore;

/// <summary>
/// Reads typed values from a configuration section by hand (no reflection binder, so trimmed and AOT
/// builds work). A value that is present but does not parse is never ignored: it is recorded with its
/// setting's full path and refused by start-up validation.
/// </summary>
internal sealed class ConfigurationValues(IConfiguration section, List<string> problems)
{
    private readonly string _prefix = section is IConfigurationSection s ? s.Path + ":" : string.Empty;

    public string? Text(string key) => section[key];

    public int? Int(string key, string what) =>
        Parse(key, what, text => int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v) ? v : (int?)null);

    public long? Long(string key, string what) =>
        Parse(key, what, text => long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v) ? v : (long?)null);

    public bool? Bool(string key) =>
        Parse(key, "true or false", text => bool.TryParse(text, out var v) ? v : (bool?)null);

    /// <summary>A duration as .NET writes it (<c>00:05:00</c>, <c>1.00:00:00</c>).</summary>
    public TimeSpan? Duration(string key) =>
        Parse(key, "a duration such as 00:05:00", text => TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var v) ? v : (TimeSpan?)null);

    public DateTimeOffset? Time(string key) =>
        Parse(key, "a date and time such as 2026-01-31T00:00:00Z", text => DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var v) ? v : (DateTimeOffset?)null);

    /// <summary>An enum member by name (case-insensitive); numbers are refused, since any number parses.</summary>
    public TEnum? Enum<TEnum>(string key)
        where TEnum : struct, Enum =>
        Parse(key, $"one of {string.Join(", ", System.Enum.GetNames<TEnum>())}", text =>
            !text.Any(char.IsDigit) && System.Enum.TryParse<TEnum>(text, ignoreCase: true, out var v) ? v : (TEnum?)null);

    private T? Parse<T>(string key, string what, Func<string, T?> parse)
        where T : struct
    {
        if (section[key] is not { } text || text.Length == 0)
        {
            return null;
        }

        var value = parse(text.Trim());
        if (value is null)
        {
            // The value itself is not shown: a key pasted into the wrong setting must not reach the log.
            problems.Add($"{_prefix}{key} is not {what}; fix or remove it");
        }

        return value;
    }
}
