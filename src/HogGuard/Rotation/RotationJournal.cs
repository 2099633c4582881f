using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using HogGuard.IO;

namespace HogGuard.Rotation;

/// <summary>
/// The steps of a rotation, in order. Each is written to the journal before the step that depends
/// on it runs; <c>HOGGUARD_FAULT_AT</c> can name any of them (lower case) to kill the process right
/// after it is journaled.
/// </summary>
public enum RotationState
{
    /// <summary>Journal created; nothing asked of PostHog or changed in the store yet.</summary>
    Started,

    /// <summary>The old key is inspected; the request for a new key is about to be sent (or, for a person, shown).</summary>
    Requested,

    /// <summary>The new key exists and sits in the store's next slot (or, after a roll in place, in its current slot).</summary>
    Obtained,

    /// <summary>PostHog accepts the new key.</summary>
    Verified,

    /// <summary>The store holds the new key as current and the old as previous.</summary>
    Promoted,

    /// <summary>The old key no longer works in PostHog.</summary>
    Revoked,

    /// <summary>The store's previous slot is cleared; the rotation is over.</summary>
    Done,

    /// <summary>Rolled back to the old key.</summary>
    Aborted,
}

/// <summary>How the new key is obtained.</summary>
public enum RotationMethod
{
    /// <summary>A new project secret key with the same scopes, then the old one deleted (overlap).</summary>
    CreateSecretKey,

    /// <summary>The project secret key rolled in place (the project is at its key limit): no overlap.</summary>
    RollSecretKey,

    /// <summary>
    /// The legacy team secret token, guided: only a person may rotate it and delete its backup
    /// (PostHog refuses both to every personal API key), so HogGuard says where, reads the new token
    /// and waits until the old one is refused.
    /// </summary>
    RotateSecretToken,

    /// <summary>A personal key: a person creates the new key and deletes the old one, guided.</summary>
    GuidedPersonalKey,
}

/// <summary>One step as it happened.</summary>
public sealed record RotationStep(RotationState State, DateTimeOffset At);

/// <summary>
/// A rotation's journal: fingerprints and masks of the keys, PostHog's key ids, never a value.
/// The id is also the idempotency id: keys HogGuard creates carry it in their label, so a step
/// re-run after a crash finds (and cleans up) what the interrupted run left.
/// </summary>
public sealed record RotationJournal
{
    /// <summary>The rotation's id.</summary>
    public required string Id { get; init; }

    /// <summary>The environment in hogguard.yml.</summary>
    public required string Environment { get; init; }

    /// <summary>The key's name in that environment.</summary>
    public required string Key { get; init; }

    /// <summary>Where the key lives (its store).</summary>
    public required string Source { get; init; }

    /// <summary>How far the rotation got.</summary>
    public RotationState State { get; init; }

    /// <summary>How the key is being replaced.</summary>
    public RotationMethod? Method { get; init; }

    /// <summary>The project of a project secret key.</summary>
    public int? ProjectId { get; init; }

    /// <summary>The project's public <c>phc_</c> token, sent with flag-definition checks as the flags service expects.</summary>
    public string? ProjectToken { get; init; }

    /// <summary>PostHog's id of the old key.</summary>
    public string? OldKeyId { get; init; }

    /// <summary>The old key's SHA-256 fingerprint.</summary>
    public required string OldFingerprint { get; init; }

    /// <summary>The old key's mask.</summary>
    public required string OldMask { get; init; }

    /// <summary>PostHog's id of the new key.</summary>
    public string? NewKeyId { get; init; }

    /// <summary>The new key's SHA-256 fingerprint.</summary>
    public string? NewFingerprint { get; init; }

    /// <summary>The new key's mask.</summary>
    public string? NewMask { get; init; }

    /// <summary>The label the new key gets in PostHog.</summary>
    public required string Label { get; init; }

    /// <summary>The scopes the new key must hold.</summary>
    public List<string> Scopes { get; init; } = [];

    /// <summary>The projects the new key must be limited to.</summary>
    public List<int>? ScopedTeams { get; init; }

    /// <summary>Every state reached, with its time.</summary>
    public List<RotationStep> History { get; init; } = [];

    /// <summary>The last problem that stopped the rotation, if it is stopped.</summary>
    public string? Problem { get; init; }

    /// <summary>Done or aborted.</summary>
    public bool IsFinished => State is RotationState.Done or RotationState.Aborted;

    /// <summary>A new id: time-ordered and unique, short enough for a PostHog key label.</summary>
    public static string NewId(DateTimeOffset now) =>
        $"rot-{now.UtcDateTime.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(2))}";
}

/// <summary>The journals in <c>.hogguard/rotations/</c>, each written atomically (temp file, fsync, rename).</summary>
public sealed class RotationJournalStore(string directory)
{
    /// <summary>Where the journals are.</summary>
    public string Directory => directory;

    /// <summary>The journals beside a hogguard.yml (in <c>.hogguard/rotations</c>).</summary>
    public static RotationJournalStore Beside(string configPath) =>
        new(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(configPath))!, ".hogguard", "rotations"));

    /// <summary>Writes the journal atomically.</summary>
    public void Save(RotationJournal journal)
    {
        ArgumentNullException.ThrowIfNull(journal);
        EnsureDirectory();
        AtomicFile.Write(PathOf(journal.Id), stream => JsonSerializer.Serialize(stream, journal, RotationJson.Default.RotationJournal), UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    /// <summary>Reads the journal with this id.</summary>
    public RotationJournal Load(string id)
    {
        if (id.AsSpan().IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || id.Contains("..", StringComparison.Ordinal) || !File.Exists(PathOf(id)))
        {
            throw new FileNotFoundException($"no rotation '{id}' in {directory}; 'hogguard keys rotations' lists them");
        }

        return Read(PathOf(id));
    }

    /// <summary>Every journal, oldest first.</summary>
    public List<RotationJournal> List() =>
        System.IO.Directory.Exists(directory)
            ? [.. System.IO.Directory.EnumerateFiles(directory, "rot-*.json").Order(StringComparer.Ordinal).Select(Read)]
            : [];

    private void EnsureDirectory()
    {
        PrivateDirectory.Create(directory);

        // Journals hold no secrets, but a hand-off file may; keep the folder out of git.
        var ignore = Path.Combine(Path.GetDirectoryName(directory)!, ".gitignore");
        if (!File.Exists(ignore))
        {
            AtomicFile.Write(ignore, s => s.Write("*\n"u8));
        }
    }

    /// <summary>Removes a journal (a rotation refused before it asked PostHog for anything).</summary>
    public void Delete(string id) => File.Delete(PathOf(id));

    /// <summary>
    /// Takes the exclusive lock of one store key for a whole run, so two rotations of the same key
    /// cannot interleave; null when another process holds it (<paramref name="holder"/> names it).
    /// </summary>
    public IDisposable? TryLock(string storeDescription, TimeSpan wait, out int? holder)
    {
        EnsureDirectory();
        var name = "store-" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(storeDescription)))[..16];
        var pid = Path.Combine(directory, name + ".pid");
        var handle = ExclusiveFileLock.TryAcquire(Path.Combine(directory, name + ".lock"), pid, wait, TimeProvider.System);
        holder = handle is null ? ExclusiveFileLock.Holder(pid) : null;
        return handle;
    }

    /// <summary>Where a rotation whose store is an environment variable leaves the new key for the deployer (owner-only).</summary>
    public string HandoffPath(string id) => Path.Combine(directory, id + ".key");

    private string PathOf(string id) => Path.Combine(directory, id + ".json");

    private static RotationJournal Read(string path)
    {
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllBytes(path), RotationJson.Default.RotationJournal)
                ?? throw new InvalidDataException($"{path} is empty");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path} is not a rotation journal ({e.Message}); it was edited or damaged", e);
        }
    }
}

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, UseStringEnumConverter = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(RotationJournal))]
internal sealed partial class RotationJson : JsonSerializerContext;
