using System.Globalization;
using System.Text;
using System.Threading.Channels;

namespace HogGuard.Sources;

/// <summary>
/// One pass over <c>git log --raw</c> of the scanned revisions that does two jobs at once: it hands
/// each blob to the readers the first time a commit writes it (every reachable blob is written by
/// some commit: a root commit writes its whole tree, a merge's combined diff shows what no parent
/// had), and it records, compactly, every (blob, path, commit) write, so the blobs that turn out to
/// hold findings are placed without reading the history a second time. Blobs reached only through a
/// tag that points at a tree or a blob are listed afterwards by <c>git rev-list</c>.
/// </summary>
internal sealed class HistoryLog
{
    private const char Separator = '\u001f';

    private readonly Dictionary<ObjectId, int> _blobs = [];
    private readonly Dictionary<string, int> _paths = new(StringComparer.Ordinal);
    private readonly List<string> _pathNames = [];
    private readonly Dictionary<string, string> _authors = new(StringComparer.Ordinal);
    private readonly List<Provenance.CommitInfo> _commits = [];
    private readonly List<(int Blob, int Path, int Commit)> _writes = [];

    /// <summary>Blobs listed (each once).</summary>
    public int BlobCount => _blobs.Count;

    /// <summary>
    /// Lists every blob the <paramref name="revisions"/> reach, writing each new one to
    /// <paramref name="queue"/> with the first path it was seen at, and records every write.
    /// </summary>
    /// <remarks>On failure (a damaged repository: a tree git cannot read) what was read so far stays recorded.</remarks>
    /// <param name="queue">Where new blobs go for the readers; null to record the writes only (placing blobs found elsewhere).</param>
    public async Task ListAsync(string root, IReadOnlyList<string> revisions, ChannelWriter<BlobRef>? queue, HashSet<BlobRef>? envBlobs, CancellationToken cancellationToken)
    {
        var log = this;
        using var process = Git.Start(root, [.. Git.SmallDeltaCache, "log", .. revisions, "--raw", "-c", "--no-renames", "--no-abbrev", "--no-color", "--format=%x01%H%x1f%an%x1f%aI"]);
        process.StandardInput.Close();
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            var reader = new StreamReader(process.StandardOutput.BaseStream, new UTF8Encoding(false), false, 1 << 16);
            var commit = -1; // the commit whose raw lines follow; -1 before the first, or for a header not understood
            while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
            {
                if (line.Length == 0)
                {
                    continue;
                }

                if (line[0] == '\u0001')
                {
                    commit = log.AddCommit(line);
                    continue;
                }

                // A blob is listed even under a commit header this cannot read (it then has no
                // commit to be placed at): scanning it matters more than saying where it came from.
                if (line[0] != ':' || ParseWrite(line) is not { } write)
                {
                    continue;
                }

                if (log.Add(write.Id, write.Path, commit) && queue is not null)
                {
                    await Enqueue(new BlobRef(write.Id, write.Path), queue, envBlobs, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch
        {
            Git.TryKill(process);
            throw;
        }

        await Git.EnsureSuccessAsync(process, stderr, "log", root, cancellationToken).ConfigureAwait(false);
        if (queue is not null)
        {
            await log.ListTaggedTreesAsync(root, revisions, queue, envBlobs, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>True when this listing already handed <paramref name="id"/> to the readers.</summary>
    public bool Listed(string id) => ObjectId.TryParse(id, out var key) && _blobs.ContainsKey(key);

    /// <summary>For each of <paramref name="wanted"/>, each path it was written at and the commits that wrote it there.</summary>
    public Dictionary<string, Dictionary<string, List<Provenance.CommitInfo>>> WritesOf(IReadOnlySet<string> wanted)
    {
        var result = new Dictionary<string, Dictionary<string, List<Provenance.CommitInfo>>>(StringComparer.Ordinal);
        var indexes = new Dictionary<int, string>();
        foreach (var id in wanted)
        {
            if (ObjectId.TryParse(id, out var key) && _blobs.TryGetValue(key, out var index))
            {
                indexes[index] = id;
            }
        }

        foreach (var (blob, path, commit) in _writes)
        {
            if (!indexes.TryGetValue(blob, out var id))
            {
                continue;
            }

            if (!result.TryGetValue(id, out var byPath))
            {
                result[id] = byPath = new Dictionary<string, List<Provenance.CommitInfo>>(StringComparer.Ordinal);
            }

            var name = _pathNames[path];
            if (!byPath.TryGetValue(name, out var commits))
            {
                byPath[name] = commits = [];
            }

            commits.Add(_commits[commit]);
        }

        return result;
    }

    /// <summary>A raw diff line's result blob and path; null for a deletion, a submodule (gitlink) or a line it cannot read.</summary>
    internal static (string Id, string Path)? ParseWrite(string line)
    {
        var tab = line.IndexOf('\t', StringComparison.Ordinal);
        if (tab < 0)
        {
            return null;
        }

        // ":old new oldId newId S" or, for a merge, "::m1 m2 result id1 id2 resultId SS": as many
        // colons as parents; the result's mode is the field after the parents' modes.
        var colons = 0;
        while (colons < line.Length && line[colons] == ':')
        {
            colons++;
        }

        var fields = line[colons..tab].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length < (2 * (colons + 1)) + 1)
        {
            return null;
        }

        var mode = fields[colons];
        var id = fields[^2];
        return id.AsSpan().IndexOfAnyExcept('0') < 0 || mode == "160000" || !ObjectId.TryParse(id, out _) ? null : (id, Provenance.Unquote(line[(tab + 1)..]));
    }

    private int AddCommit(string line)
    {
        var parts = line[1..].Split(Separator);
        if (parts.Length != 3 || !DateTimeOffset.TryParse(parts[2], CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            return -1;
        }

        if (!_authors.TryGetValue(parts[1], out var author))
        {
            _authors[parts[1]] = author = parts[1];
        }

        _commits.Add(new Provenance.CommitInfo(parts[0], author, date));
        return _commits.Count - 1;
    }

    /// <summary>Records a write; true when the blob was not seen before.</summary>
    private bool Add(string id, string path, int commit)
    {
        ObjectId.TryParse(id, out var key);
        var isNew = !_blobs.TryGetValue(key, out var blob);
        if (isNew)
        {
            blob = _blobs.Count;
            _blobs[key] = blob;
        }

        if (!_paths.TryGetValue(path, out var pathIndex))
        {
            pathIndex = _pathNames.Count;
            _paths[path] = pathIndex;
            _pathNames.Add(path);
        }

        if (commit >= 0)
        {
            _writes.Add((blob, pathIndex, commit));
        }

        return isNew;
    }

    /// <summary>
    /// Refs that peel to a tree or a blob (<c>git tag v1 HEAD^{tree}</c>) reach blobs no commit
    /// writes: rev-list lists those, named as rev-list names them.
    /// </summary>
    private async Task ListTaggedTreesAsync(string root, IReadOnlyList<string> revisions, ChannelWriter<BlobRef> queue, HashSet<BlobRef>? envBlobs, CancellationToken cancellationToken)
    {
        if (!revisions.Contains("--all"))
        {
            return;
        }

        var refs = Encoding.UTF8.GetString(Git.RunChecked(root, "for-each-ref", "--format=%(objecttype) %(*objecttype) %(refname)"))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(' ', 3))
            .Where(p => p.Length == 3 && (p[0] is "tree" or "blob" || p[1] is "tree" or "blob"))
            .Select(p => p[2])
            .ToList();
        if (refs.Count == 0)
        {
            return;
        }

        var listing = Encoding.UTF8.GetString(Git.RunChecked(root, ["rev-list", "--objects", "--no-walk", "--filter=object:type=blob", .. refs]));
        foreach (var line in listing.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var space = line.IndexOf(' ', StringComparison.Ordinal);
            var id = space < 0 ? line : line[..space];
            if (!ObjectId.TryParse(id, out var key) || _blobs.ContainsKey(key))
            {
                continue;
            }

            _blobs[key] = _blobs.Count;
            await Enqueue(new BlobRef(id, space < 0 || space == line.Length - 1 ? $"(blob {id} reached by a tag)" : line[(space + 1)..]), queue, envBlobs, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task Enqueue(BlobRef blob, ChannelWriter<BlobRef> queue, HashSet<BlobRef>? envBlobs, CancellationToken cancellationToken)
    {
        if (EnvFiles.IsEnvFile(blob.Path) && !EnvFiles.IsTemplate(blob.Path))
        {
            envBlobs?.Add(blob);
        }

        await queue.WriteAsync(blob, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A SHA-1 (40 hex digits) or SHA-256 (64) object id in 32 bytes, as a dictionary key that costs no string.</summary>
    private readonly record struct ObjectId(ulong A, ulong B, ulong C, ulong D)
    {
        public static bool TryParse(string hex, out ObjectId id)
        {
            id = default;
            Span<byte> bytes = stackalloc byte[32];
            if (hex.Length is not (40 or 64)
                || Convert.FromHexString(hex, bytes, out _, out var written) != System.Buffers.OperationStatus.Done
                || written != hex.Length / 2)
            {
                return false;
            }

            id = new ObjectId(
                System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(bytes),
                System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(bytes[8..]),
                System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(bytes[16..]),
                System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(bytes[24..]));
            return true;
        }
    }
}
