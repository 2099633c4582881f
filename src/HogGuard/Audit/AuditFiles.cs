using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using HogGuard.IO;

namespace HogGuard.Audit;

/// <summary>The log's files: <c>audit-{first sequence}.jsonl</c> segments and <c>checkpoints.jsonl</c>.</summary>
internal static class AuditFiles
{
    public const string CheckpointFile = "checkpoints.jsonl";

    /// <summary>Where the log last stood (segment, last sequence and hash, HMAC'd with the key), rewritten atomically as it grows.</summary>
    public const string HeadFile = "head.json";

    /// <summary>The head's HMAC signs a different message than a checkpoint's, so a checkpoint can never pass for a head.</summary>
    public static string HeadMac(byte[] key, string segment, long lastSequence, string lastHash) => Mac(key, "head|" + segment, lastSequence, lastHash);

    public static byte[] HeadLine(string segment, long lastSequence, string lastHash, byte[]? key) =>
        Record(segment, lastSequence, lastHash, key is null ? null : HeadMac(key, segment, lastSequence, lastHash));

    /// <summary>The head record, null when there is none; a record that cannot be read has sequence -1.</summary>
    public static Checkpoint? ReadHead(string directory)
    {
        var path = Path.Combine(directory, HeadFile);
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            var root = document.RootElement;
            return new Checkpoint(root.GetProperty("segment").GetString()!, root.GetProperty("last_seq").GetInt64(), root.GetProperty("last_hash").GetString()!, root.GetProperty("mac").GetString());
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return new Checkpoint(string.Empty, -1, string.Empty, null);
        }
    }

    /// <summary>A segment's bytes; a segment that is not a regular file (a FIFO put in its place) is an error, never a hang.</summary>
    public static byte[] ReadSegment(string path) => RegularFile.ReadAllBytes(path, int.MaxValue);

    public static string SegmentName(long firstSequence) => $"audit-{firstSequence.ToString("D12", CultureInfo.InvariantCulture)}.jsonl";

    /// <summary>Segments in order, with the first sequence their name promises.</summary>
    public static List<(string Path, long FirstSequence)> Segments(string directory) =>
        [.. Directory.EnumerateFiles(directory, "audit-*.jsonl")
            .Select(p => (Path: p, Name: Path.GetFileNameWithoutExtension(p)))
            .Where(s => long.TryParse(s.Name.AsSpan(6), NumberStyles.None, CultureInfo.InvariantCulture, out _))
            .Select(s => (s.Path, long.Parse(s.Name.AsSpan(6), NumberStyles.None, CultureInfo.InvariantCulture)))
            .OrderBy(s => s.Item2)];

    public static string Mac(byte[] key, string segment, long lastSequence, string lastHash) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{segment}|{lastSequence}|{lastHash}")));

    public static byte[] CheckpointLine(string segment, long lastSequence, string lastHash, byte[]? key) =>
        Record(segment, lastSequence, lastHash, key is null ? null : Mac(key, segment, lastSequence, lastHash));

    private static byte[] Record(string segment, long lastSequence, string lastHash, string? mac)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("segment", segment);
            writer.WriteNumber("last_seq", lastSequence);
            writer.WriteString("last_hash", lastHash);
            if (mac is null)
            {
                writer.WriteNull("mac");
            }
            else
            {
                writer.WriteString("mac", mac);
            }

            writer.WriteEndObject();
        }

        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }

    public static List<Checkpoint> ReadCheckpoints(string directory)
    {
        var path = Path.Combine(directory, CheckpointFile);
        var list = new List<Checkpoint>();
        if (!File.Exists(path))
        {
            return list;
        }

        foreach (var line in File.ReadLines(path).Where(l => l.Length > 0))
        {
            try
            {
                using var document = JsonDocument.Parse(line);
                var root = document.RootElement;
                list.Add(new Checkpoint(root.GetProperty("segment").GetString()!, root.GetProperty("last_seq").GetInt64(), root.GetProperty("last_hash").GetString()!, root.GetProperty("mac").GetString()));
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
            {
                list.Add(new Checkpoint(string.Empty, -1, string.Empty, null));
            }
        }

        return list;
    }

    /// <summary>fsyncs a directory so a created or renamed file survives a crash (best effort where unsupported).</summary>
    public static void SyncDirectory(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        try
        {
            using var handle = File.OpenHandle(directory, FileMode.Open, FileAccess.Read);
            RandomAccess.FlushToDisk(handle);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }
}

/// <summary>A segment's end as recorded when it was closed.</summary>
internal sealed record Checkpoint(string Segment, long LastSequence, string LastHash, string? Mac);
