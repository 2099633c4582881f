using System.Collections.Concurrent;
using HogGuard.Testing;

namespace HogGuard.Cli.Tests.Infrastructure;

/// <summary>Makes tokens for a test and remembers every one, so each tool run can check none leaked into its output.</summary>
internal static class Tokens
{
    private static readonly ConcurrentDictionary<string, byte> Issued = new(StringComparer.Ordinal);
    private static int _seed = Environment.ProcessId;

    public static string New(string prefix = "phx_", bool base57 = true)
    {
        var token = TestTokens.Make(prefix, base57, new Random(Interlocked.Increment(ref _seed)));
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
