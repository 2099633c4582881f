using HogGuard.Keys;

namespace HogGuard.Detection;

/// <summary>A whole PostHog token found at <see cref="Offset"/> in a buffer.</summary>
/// <param name="Offset">Where the token (or its encoded form) starts in the buffer.</param>
/// <param name="Length">Bytes the token (or its encoded form) spans in the buffer.</param>
/// <param name="Kind">The token's kind.</param>
/// <param name="Alphabet">The alphabet of its random part.</param>
/// <param name="Value">The decoded token, when the buffer holds it encoded; null when it is written plainly.</param>
/// <param name="Encoding">How it was encoded (<c>base64</c>, <c>base64url</c>, <c>percent</c>, <c>unicode-escape</c>, or two joined by <c>+</c>, outermost first); null when plain.</param>
internal readonly record struct TokenMatch(int Offset, int Length, PostHogTokenKind Kind, TokenAlphabet Alphabet, string? Value = null, string? Encoding = null);
