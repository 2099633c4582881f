using System.Threading.Channels;
using HogGuard.Detection;
using HogGuard.Sources.Packs;

namespace HogGuard.Sources;

/// <summary>
/// Reads queued blobs straight from the repository's packs (<see cref="PackRepository"/>) and scans
/// them: no process and no pipe per worker, and one delta base cache for all of them.
/// </summary>
internal sealed class PackWorker(string root, PackRepository store, ChannelReader<BlobRef> queue, FindingSet sink, ScanStatistics stats, ScanOptions options)
{
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var scanner = new ContentScanner(sink, options.Archives);
        while (await queue.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            while (queue.TryRead(out var blob))
            {
                cancellationToken.ThrowIfCancellationRequested();
                Scan(scanner, blob);
            }
        }
    }

    private void Scan(ContentScanner scanner, BlobRef blob)
    {
        RentedBytes? content;
        try
        {
            var id = Convert.FromHexString(blob.Id);
            var size = store.SizeOf(id);
            if (size < 0)
            {
                stats.AddMissing();
                return;
            }

            if (size > options.Config.MaxFileSize)
            {
                stats.AddTooLarge();
                return;
            }

            content = store.ReadRented(id);
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            throw new GitException($"a pack in {root} could not be read at blob {blob.Id} ({e.Message}); check the repository with 'git fsck', or set HOGGUARD_HISTORY_READER=git to read it through git");
        }

        if (content is null)
        {
            stats.AddMissing();
            return;
        }

        using var owned = content;
        using var stream = new MemoryStream(content.Array, 0, content.Length, writable: false);
        if (scanner.Scan(stream, content.Length, blob.Path, blob.Id) == ContentOutcome.Binary)
        {
            stats.AddBinary();
        }
        else
        {
            stats.AddScanned(content.Length);
        }

        options.Progress?.Report(stats);
    }
}
