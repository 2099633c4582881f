namespace HogGuard.Detection;

/// <summary>A <c>POSTHOG_*</c> secret-named setting assigned a literal, with the value's place in the buffer.</summary>
internal readonly record struct SettingMatch(int NameOffset, int ValueOffset, int ValueLength);
