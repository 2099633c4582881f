using System.Text;

namespace HogGuard.Detection;

/// <summary>Recognises UTF-16 and UTF-32 text, which the NUL-byte binary test would otherwise skip.</summary>
internal static class TextEncodings
{
    private static readonly Encoding Utf32Little = new UTF32Encoding(bigEndian: false, byteOrderMark: true);
    private static readonly Encoding Utf32Big = new UTF32Encoding(bigEndian: true, byteOrderMark: true);

    /// <summary>UTF-32 or UTF-16 (see <see cref="DetectUtf32"/> and <see cref="DetectUtf16"/>), or null for anything else.</summary>
    /// <remarks>Text without a NUL (nearly every file) is answered by one vectorised search.</remarks>
    public static Encoding? DetectWide(ReadOnlySpan<byte> probe) => probe.IndexOf((byte)0) < 0 ? null : DetectUtf32(probe) ?? DetectUtf16(probe);

    /// <summary>
    /// UTF-32 little or big endian: by its byte order mark (<c>FF FE 00 00</c>, <c>00 00 FE FF</c>),
    /// or without one when it reads as mostly-ASCII UTF-32 (in each group of four bytes the three
    /// high bytes NUL and the low one not, nine groups in ten).
    /// </summary>
    public static Encoding? DetectUtf32(ReadOnlySpan<byte> probe)
    {
        if (probe.Length >= 4 && probe[0] == 0xFF && probe[1] == 0xFE && probe[2] == 0 && probe[3] == 0)
        {
            return Utf32Little;
        }

        if (probe.Length >= 4 && probe[0] == 0 && probe[1] == 0 && probe[2] == 0xFE && probe[3] == 0xFF)
        {
            return Utf32Big;
        }

        if (probe.Length < 32)
        {
            return null;
        }

        int little = 0, big = 0, groups = probe.Length / 4;
        for (var i = 0; i + 3 < probe.Length; i += 4)
        {
            little += probe[i] != 0 && probe[i + 1] == 0 && probe[i + 2] == 0 && probe[i + 3] == 0 ? 1 : 0;
            big += probe[i] == 0 && probe[i + 1] == 0 && probe[i + 2] == 0 && probe[i + 3] != 0 ? 1 : 0;
        }

        return little * 10 >= groups * 9 ? Utf32Little : big * 10 >= groups * 9 ? Utf32Big : null;
    }

    /// <summary>
    /// UTF-16 little or big endian when the content starts with its byte order mark and has a NUL
    /// (any ASCII character, such as a token's, has one in UTF-16; text that merely starts with
    /// those two bytes has none), or when it has no mark but reads as mostly-ASCII UTF-16 (every
    /// other byte NUL, the others never NUL).
    /// </summary>
    public static Encoding? DetectUtf16(ReadOnlySpan<byte> probe)
    {
        if (probe.IndexOf((byte)0) < 0)
        {
            return null;
        }

        if (probe.Length >= 2 && probe[0] == 0xFF && probe[1] == 0xFE)
        {
            return probe.Length >= 4 && probe[2] == 0 && probe[3] == 0 ? null : Encoding.Unicode; // FF FE 00 00 is UTF-32
        }

        if (probe.Length >= 2 && probe[0] == 0xFE && probe[1] == 0xFF)
        {
            return Encoding.BigEndianUnicode;
        }

        if (probe.Length < 16)
        {
            return null;
        }

        int evenNul = 0, oddNul = 0, pairs = probe.Length / 2;
        for (var i = 0; i + 1 < probe.Length; i += 2)
        {
            evenNul += probe[i] == 0 ? 1 : 0;
            oddNul += probe[i + 1] == 0 ? 1 : 0;
        }

        if (evenNul == 0 && oddNul * 10 >= pairs * 9)
        {
            return Encoding.Unicode;
        }

        return oddNul == 0 && evenNul * 10 >= pairs * 9 ? Encoding.BigEndianUnicode : null;
    }
}
