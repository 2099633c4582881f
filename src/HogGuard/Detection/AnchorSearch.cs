using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace HogGuard.Detection;

/// <summary>What a two-byte anchor announces.</summary>
internal enum AnchorFamily : byte
{
    /// <summary><c>ph</c>: a token written plainly (or with escapes after its first two letters).</summary>
    Plain,

    /// <summary><c>%7</c> or <c>\u</c>: a token whose <c>p</c> is percent- or <c>\u</c>-escaped.</summary>
    Escape,

    /// <summary>The base64 form of <c>ph</c> at one of the three byte alignments.</summary>
    Base64,

    /// <summary>The base64 form of a <see cref="Base64"/> anchor: a token encoded twice.</summary>
    Base64Twice,
}

/// <summary>
/// Finds every position where one of a small set of two-byte anchors starts, in one vectorised pass:
/// the plain <c>ph</c>, the escapes, and the base64 forms of <c>ph</c> (once and twice encoded) at
/// each byte alignment. Those base64 forms are fixed strings whatever the token's kind, so encoded
/// tokens cost the same search as plain ones. Each anchor's first byte picks a table slot by a
/// 4-bit hash (its low nibble, or for the second table bits 1-4); one shuffle per table gives the
/// expected first and second bytes, so a 32-byte block costs a handful of instructions.
/// </summary>
internal static class AnchorSearch
{
    /// <summary>The base64 forms of <c>ph</c> at each alignment: where a once-encoded token's anchor is, inside decoded text.</summary>
    private static readonly Anchor[] OnceForms = [.. Base64Forms.FixedRuns("ph"u8).Select(r => new Anchor((byte)r.Text[0], (byte)r.Text[1], AnchorFamily.Base64, r.Offset, r.Alignment))];

    private static readonly Anchor[] Anchors = BuildAnchors();
    private static readonly Tables Table = BuildTables(Anchors);

    /// <summary>Every anchor, for tests and for documentation.</summary>
    public static IReadOnlyList<Anchor> All => Anchors;

    /// <summary>The anchor that starts with these two bytes, if any.</summary>
    public static Anchor? Find(byte first, byte second) => Table.Scalar[(first << 8) | second] is var index and > 0 ? Anchors[index - 1] : null;

    /// <summary>The base64 form of <c>ph</c> these two bytes are, at its alignment, if any (for the inner text of a twice-encoded token).</summary>
    public static Anchor? OnceForm(byte first, byte second) => OnceForms.FirstOrDefault(a => a.First == first && a.Second == second);

    /// <summary>The anchor at <paramref name="i"/>, which the search reported.</summary>
    public static Anchor At(ReadOnlySpan<byte> data, int i) => Anchors[Table.Scalar[(data[i] << 8) | data[i + 1]] - 1];

    /// <summary>
    /// Calls <paramref name="visit"/> for each anchor start in <c>[from, end)</c>, in order; the
    /// visitor returns the position the search goes on from (to skip a token it matched).
    /// </summary>
    public static void ForEach<TVisitor>(ReadOnlySpan<byte> data, int end, ref TVisitor visit)
        where TVisitor : struct, IAnchorVisitor, allows ref struct
    {
        var at = 0;
        ref var start = ref MemoryMarshal.GetReference(data);
        // A block needs the byte after its last lane too.
        if (Table.Permute is { } permute && Avx512Vbmi.IsSupported)
        {
            // One byte permute per table looks up all 64 lanes by their low six bits, which the
            // anchors' first bytes all differ in: the second byte (or the other second byte) that
            // slot's anchor expects. The first byte itself is not compared here: a byte differing only
            // in its top two bits ('0' for 'p', 'e' for '%') is turned away by the pair table, and
            // such pairs are rare, while the compare would cost every block.
            var (seconds, others) = (permute.Second, permute.Other);
            while (at + (2 * Vector512<byte>.Count) + 1 <= data.Length && at < end)
            {
                var a0 = Vector512.LoadUnsafe(ref start, (nuint)at);
                var b0 = Vector512.LoadUnsafe(ref start, (nuint)at + 1);
                var a1 = Vector512.LoadUnsafe(ref start, (nuint)at + 64);
                var b1 = Vector512.LoadUnsafe(ref start, (nuint)at + 65);
                var m0 = Vector512.Equals(Avx512Vbmi.PermuteVar64x8(seconds, a0), b0) | Vector512.Equals(Avx512Vbmi.PermuteVar64x8(others, a0), b0);
                var m1 = Vector512.Equals(Avx512Vbmi.PermuteVar64x8(seconds, a1), b1) | Vector512.Equals(Avx512Vbmi.PermuteVar64x8(others, a1), b1);
                if ((m0 | m1) == Vector512<byte>.Zero)
                {
                    at += 2 * Vector512<byte>.Count;
                    continue;
                }

                var pair = at;
                if (!VisitMask(m0.ExtractMostSignificantBits(), data, end, ref at, pair, Vector512<byte>.Count, ref visit)
                    || !VisitMask(m1.ExtractMostSignificantBits(), data, end, ref at, pair + Vector512<byte>.Count, Vector512<byte>.Count, ref visit))
                {
                    return;
                }
            }
        }

        if (Avx2.IsSupported)
        {
            var low = Vector256.Create((byte)0x0F);
            var (first1, second1, first2, second2) = (Table.First1.V256, Table.Second1.V256, Table.First2.V256, Table.Second2.V256);
            while (at + Vector256<byte>.Count + 1 <= data.Length && at < end)
            {
                var a = Vector256.LoadUnsafe(ref start, (nuint)at);
                var b = Vector256.LoadUnsafe(ref start, (nuint)at + 1);
                var h1 = a & low;
                var h2 = (a.AsUInt16() >> 1).AsByte() & low;
                var m = (Vector256.Equals(Avx2.Shuffle(first1, h1), a) & Vector256.Equals(Avx2.Shuffle(second1, h1), b))
                    | (Vector256.Equals(Avx2.Shuffle(first2, h2), a) & Vector256.Equals(Avx2.Shuffle(second2, h2), b));
                if (m == Vector256<byte>.Zero)
                {
                    at += Vector256<byte>.Count;
                    continue;
                }

                if (!VisitMask(m.ExtractMostSignificantBits(), data, end, ref at, at, Vector256<byte>.Count, ref visit))
                {
                    return;
                }
            }
        }
        else if (Ssse3.IsSupported || AdvSimd.Arm64.IsSupported)
        {
            var low = Vector128.Create((byte)0x0F);
            var (first1, second1, first2, second2) = (Table.First1.V128, Table.Second1.V128, Table.First2.V128, Table.Second2.V128);
            while (at + Vector128<byte>.Count + 1 <= data.Length && at < end)
            {
                var a = Vector128.LoadUnsafe(ref start, (nuint)at);
                var b = Vector128.LoadUnsafe(ref start, (nuint)at + 1);
                var h1 = a & low;
                var h2 = (a.AsUInt16() >> 1).AsByte() & low;
                var m = (Vector128.Equals(Lookup(first1, h1), a) & Vector128.Equals(Lookup(second1, h1), b))
                    | (Vector128.Equals(Lookup(first2, h2), a) & Vector128.Equals(Lookup(second2, h2), b));
                if (m == Vector128<byte>.Zero)
                {
                    at += Vector128<byte>.Count;
                    continue;
                }

                if (!VisitMask(m.ExtractMostSignificantBits(), data, end, ref at, at, Vector128<byte>.Count, ref visit))
                {
                    return;
                }
            }
        }

        // The tail (and machines without SIMD): one table lookup per byte.
        while (at + 1 < data.Length && at < end)
        {
            at = Table.Scalar[(data[at] << 8) | data[at + 1]] == 0 ? at + 1 : Math.Max(at + 1, visit.Visit(data, at));
        }
    }

    /// <summary>
    /// A 16-entry table lookup by each lane's index (0-15): pshufb or tbl, named explicitly so an
    /// ahead-of-time build for a baseline CPU never falls back to a software shuffle.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<byte> Lookup(Vector128<byte> table, Vector128<byte> indices) =>
        Ssse3.IsSupported ? Ssse3.Shuffle(table, indices) : AdvSimd.Arm64.VectorTableLookup(table, indices);

    /// <summary>Visits the anchors a block's mask marks; false when the search is over.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool VisitMask<TVisitor>(ulong mask, ReadOnlySpan<byte> data, int end, ref int at, int block, int width, ref TVisitor visit)
        where TVisitor : struct, IAnchorVisitor, allows ref struct
    {
        var next = block + width;
        while (mask != 0)
        {
            var i = block + BitOperations.TrailingZeroCount(mask);
            mask &= mask - 1;
            if (i < at)
            {
                continue; // inside a token the visitor already took
            }

            if (i >= end)
            {
                return false;
            }

            if (Table.Scalar[(data[i] << 8) | data[i + 1]] == 0)
            {
                continue; // a lane whose first byte only shares an anchor's table slot
            }

            at = Math.Max(i + 1, visit.Visit(data, i));
        }

        at = Math.Max(at, next);
        return true;
    }

    private static Anchor[] BuildAnchors()
    {
        var anchors = new List<Anchor>
        {
            new((byte)'p', (byte)'h', AnchorFamily.Plain, 0, 0),
            new((byte)'%', (byte)'7', AnchorFamily.Escape, 0, 0),
            new((byte)'\\', (byte)'u', AnchorFamily.Escape, 0, 0),
        };
        // Once encoded: "ph" at each alignment gives cG, Bo and wa. "wa" starts a tenth of the words
        // in English text, so at that alignment the search uses the next pair instead, aH or aG
        // (which of the two depends on the kind letter), from the fixed forms of the whole prefixes.
        foreach (var once in OnceForms)
        {
            if (once.Alignment < 2)
            {
                anchors.Add(once);
                continue;
            }

            foreach (var prefix in new[] { "phx_", "phs_", "pha_", "phr_", "phc_" })
            {
                var full = Base64Forms.FixedRuns(System.Text.Encoding.ASCII.GetBytes(prefix)).Single(r => r.Alignment == once.Alignment);
                var pair = new Anchor((byte)full.Text[1], (byte)full.Text[2], AnchorFamily.Base64, full.Offset + 1, once.Alignment);
                if (!anchors.Any(a => a.First == pair.First && a.Second == pair.Second))
                {
                    anchors.Add(pair);
                }
            }
        }

        // Twice encoded: the base64 forms of those three pairs, at each alignment.
        foreach (var once in OnceForms)
        {
            foreach (var twice in Base64Forms.FixedRuns([once.First, once.Second]))
            {
                anchors.Add(new((byte)twice.Text[0], (byte)twice.Text[1], AnchorFamily.Base64Twice, twice.Offset, twice.Alignment));
            }
        }

        return [.. anchors];
    }

    private static Tables BuildTables(Anchor[] anchors)
    {
        var first1 = new byte[16];
        var second1 = new byte[16];
        var first2 = new byte[16];
        var second2 = new byte[16];
        // An empty slot holds a byte whose hash is not the slot's, so nothing can match it.
        for (var slot = 0; slot < 16; slot++)
        {
            first1[slot] = (byte)(slot == 0 ? 0x01 : 0x00);
            first2[slot] = (byte)(slot == 0 ? 0x02 : 0x00);
        }

        var used1 = new bool[16];
        var used2 = new bool[16];
        // Pair -> anchor index + 1 (0: no anchor), for the tail and to name what a vector lane found.
        var scalar = new byte[1 << 16];
        for (var index = 0; index < anchors.Length; index++)
        {
            var anchor = anchors[index];
            scalar[(anchor.First << 8) | anchor.Second] = (byte)(index + 1);
            int h1 = anchor.First & 0x0F, h2 = (anchor.First >> 1) & 0x0F;
            if (!used1[h1])
            {
                (used1[h1], first1[h1], second1[h1]) = (true, anchor.First, anchor.Second);
            }
            else if (!used2[h2])
            {
                (used2[h2], first2[h2], second2[h2]) = (true, anchor.First, anchor.Second);
            }
            else
            {
                throw new InvalidOperationException($"anchor {(char)anchor.First}{(char)anchor.Second} has no free table slot");
            }
        }

        return new Tables(Lanes.Of(first1), Lanes.Of(second1), Lanes.Of(first2), Lanes.Of(second2), scalar, BuildPermute(anchors));
    }

    /// <summary>
    /// 64-entry tables of the second bytes expected after a first byte, by its low six bits; null if
    /// two anchors' first bytes share those bits, or one first byte has more than two second bytes.
    /// </summary>
    private static PermuteTables? BuildPermute(Anchor[] anchors)
    {
        var firsts = new byte?[64];
        // An empty slot expects 0xFF, which UTF-8 text never holds.
        var seconds = Enumerable.Repeat((byte)0xFF, 64).ToArray();
        var others = Enumerable.Repeat((byte)0xFF, 64).ToArray();
        foreach (var anchor in anchors)
        {
            var slot = anchor.First & 0x3F;
            if (firsts[slot] is null)
            {
                (firsts[slot], seconds[slot], others[slot]) = (anchor.First, anchor.Second, anchor.Second);
            }
            else if (firsts[slot] == anchor.First && others[slot] == seconds[slot])
            {
                others[slot] = anchor.Second;
            }
            else
            {
                return null;
            }
        }

        return new PermuteTables(Vector512.Create(seconds), Vector512.Create(others));
    }

    /// <summary>One anchor: its two bytes and what it announces.</summary>
    /// <param name="GroupOffset">For base64: characters from the start of the 4-character group to the anchor.</param>
    /// <param name="Alignment">For base64: which byte of the decoded 3-byte group the encoded text starts at (0, 1 or 2).</param>
    internal sealed record Anchor(byte First, byte Second, AnchorFamily Family, int GroupOffset, int Alignment);

    private sealed record Tables(Lanes First1, Lanes Second1, Lanes First2, Lanes Second2, byte[] Scalar, PermuteTables? Permute);

    private sealed record PermuteTables(Vector512<byte> Second, Vector512<byte> Other);

    private sealed record Lanes(Vector128<byte> V128, Vector256<byte> V256)
    {
        public static Lanes Of(byte[] table) => new(Vector128.Create(table), Vector256.Create(Vector128.Create(table), Vector128.Create(table)));
    }
}

/// <summary>Called at each anchor <see cref="AnchorSearch"/> finds.</summary>
internal interface IAnchorVisitor
{
    /// <summary>
    /// Handles the anchor at <paramref name="i"/> (<see cref="AnchorSearch.At"/> names it); returns
    /// where the search goes on (at most <paramref name="i"/> + 1 to go on at once).
    /// </summary>
    int Visit(ReadOnlySpan<byte> data, int i);
}
