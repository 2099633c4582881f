namespace HogGuard.Keys;

/// <summary>The alphabet PostHog encoded a token's random part in.</summary>
public enum TokenAlphabet
{
    /// <summary>0-9 a-z A-Z: tokens made before March 2026.</summary>
    Base62,

    /// <summary>0-9 a-z A-Z without 0 1 O I l, top bit forced on: tokens made since March 2026.</summary>
    Base57,
}
