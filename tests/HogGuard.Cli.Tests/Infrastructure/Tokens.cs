using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using HogGuard.Testing;

namespace HogGuard.Cli.Tests.Infrastructure;

/// <summary>Makes tokens for a test and remembers every one, so each tool run can check none leaked into its output.</summary>
internal static class Tokens
{
    private static readonly ConcurrentDictionary<string, byte> Issued = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, int> Calls = new(StringComparer.Ordinal);

    /// <summary>
    /// A new token, the same in every run for the same test and call (seeded from the calling member,
    /// line and how often that line asked), so a failure reproduces with the same values.
    /// </summary>
    public static string New(string prefix = "phx_", bool base57 = true, [CallerMemberName] string caller = "", [CallerLineNumber] int line = 0)
    {
        var place = $"{caller}:{line}";
        var nth = Calls.AddOrUpdate(place, 1, (_, n) => n + 1);
        var seed = BitConverter.ToInt32(SHA256.HashData(Encoding.UTF8.GetBytes($"{prefix}{place}:{nth}")), 0);
        var token = TestTokens.Make(prefix, base57, new Random(seed));
        Remember(token);
        return token;
    }

    /// <summary>Adds a token the tool produced (read back from a store) to those no output may show; empty is ignored.</summary>
    public static void Remember(string token)
    {
        if (!string.IsNullOrEmpty(token))
        {
            Issued.TryAdd(token, 0);
        }
    }

    public static IEnumerable<string> All => Issued.Keys;
}
