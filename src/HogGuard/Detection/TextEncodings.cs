using System.Text;

namespace HogGuard.Detection;

/// <summary>Recognises UTF-16 text, which the NUL-byte binary test would otherwise skip.</summary>
internal static class TextEncodings
{
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
