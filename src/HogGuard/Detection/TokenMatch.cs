using HogGuard.Keys;

namespace HogGuard.Detection;

/// <summary>A whole PostHog token found at <see cref="Offset"/> in a buffer.</summary>
internal readonly record struct TokenMatch(int Offset, int Length, PostHogTokenKind Kind, TokenAlphabet Alphabet);
