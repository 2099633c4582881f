using System.Globalization;
using System.Text;
using HogGuard.IO;

namespace HogGuard.Policy;

/// <summary>
/// When each key was last audited, by fingerprint (never a value), in <c>.hogguard/key-audits.tsv</c>
/// beside <c>hogguard.yml</c>: PostHog stamps <c>last_used_at</c> with the audit's own request, so
/// the next audit needs this time to tell that stamp from a real use.
/// </summary>
internal sealed class AuditHistory(string path)
{
    public static AuditHistory Beside(string configPath) =>
        new(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(configPath))!, ".hogguard", "key-audits.tsv"));

    /// <summary>The recorded times; a missing or damaged file is an empty history (the next audit rewrites it).</summary>
    public Dictionary<string, DateTimeOffset> Read()
    {
        var times = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        string[] lines;
        try
        {
            lines = File.Exists(path) ? File.ReadAllLines(path) : [];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return times;
        }

        foreach (var line in lines)
        {
            if (line.Split('\t') is [var fingerprint, var at] && fingerprint.Length == 12 && fingerprint.All(char.IsAsciiHexDigitLower)
                && DateTimeOffset.TryParseExact(at, "O", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time))
            {
                times[fingerprint] = time;
            }
        }

        return times;
    }

    /// <summary>Records <paramref name="at"/> for the keys just audited, keeping the others; written atomically.</summary>
    public void Record(IEnumerable<string> fingerprints, DateTimeOffset at)
    {
        var audited = fingerprints.ToList();
        if (audited.Count == 0)
        {
            return;
        }

        var times = Read();
        foreach (var fingerprint in audited)
        {
            times[fingerprint] = at;
        }

        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var text = string.Concat(times.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => $"{t.Key}\t{t.Value.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture)}\n"));
            AtomicFile.Write(path, s => s.Write(Encoding.UTF8.GetBytes(text)));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The history only sharpens the next audit's "unused" verdict; an audit never fails for it.
        }
    }
}
