using HogGuard.Audit;
using HogGuard.Configuration;
using HogGuard.Keys;
using HogGuard.PostHogApi;
using HogGuard.SecretStores;

namespace HogGuard.Rotation;

/// <summary>What a rotation needs from a person: guidance for personal keys and environment variables.</summary>
public interface IRotationPrompt
{
    /// <summary>Shows a line of guidance (never a secret).</summary>
    void Say(string text);

    /// <summary>Reads a secret without echo; null when there is none (end of input).</summary>
    string? ReadSecret(string question);

    /// <summary>Asks a yes/no question; false when there is no answer.</summary>
    bool Confirm(string question);
}

/// <summary>Everything a rotation runs against.</summary>
public sealed record RotationContext(
    PostHogClient Client,
    PostHogHost Host,
    ISecretStore Store,
    KeyPolicy Policy,
    RotationJournalStore Journals,
    IRotationPrompt Prompt)
{
    /// <summary>A personal key with <c>project:write</c>, for project secret keys and the legacy token.</summary>
    public PostHogSecret? Rotator { get; init; }

    /// <summary>Where state changes are audited; null for nowhere.</summary>
    public IAuditLog? Audit { get; init; }

    /// <summary>For a personal key: poll until the person has deleted the old key, at most this long.</summary>
    public TimeSpan? WaitForDeletion { get; init; }

    /// <summary>
    /// How long the new key is current before the old one is deleted (default none): time for running
    /// services that watch the store (configuration reload) to take the new key, so none of their
    /// requests meets a deleted key. Counted from the promotion, so a resumed run waits only the rest.
    /// </summary>
    public TimeSpan Grace { get; init; } = TimeSpan.Zero;

    /// <summary>How often <see cref="WaitForDeletion"/> asks PostHog (default 5 s).</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The fault-injection hook (<c>HOGGUARD_FAULT_AT</c>): called with a state's name right after it is
    /// journaled, and with <c>created</c>, <c>rolled</c> or <c>rotated</c> right after PostHog has
    /// answered with a new value and before it reaches the store.
    /// </summary>
    internal Action<string>? FaultPoint { get; init; }

    /// <summary>The clock of journals and audit entries.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>How messages name the ways on: the tool passes its flags (<c>--resume ID</c>); the default names the library's calls.</summary>
    public RotationWords Words { get; init; } = RotationWords.Library;
}

/// <summary>How a rotation's messages tell the reader to go on, so the library never speaks in one tool's flags.</summary>
/// <param name="Resume">Continuing the rotation with the given id.</param>
/// <param name="Abort">Rolling the rotation with the given id back.</param>
/// <param name="Wait">Polling until a person has deleted the old key.</param>
public sealed record RotationWords(Func<string, string> Resume, Func<string, string> Abort, string Wait)
{
    /// <summary>The library's own calls: <see cref="KeyRotator.RunAsync"/>, <see cref="KeyRotator.AbortAsync"/>, <see cref="RotationContext.WaitForDeletion"/>.</summary>
    public static RotationWords Library { get; } = new(
        id => $"KeyRotator.RunAsync on rotation {id}",
        id => $"KeyRotator.AbortAsync on rotation {id}",
        "RotationContext.WaitForDeletion");
}

/// <summary>A rotation stopped with a message naming the problem and the fix; the old key is still current unless it says otherwise.</summary>
public sealed class RotationException(string message) : Exception(message);
