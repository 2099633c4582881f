using System.Diagnostics;
using System.Text;
using System.Threading.Channels;
using HogGuard.Detection;

namespace HogGuard.Sources;

/// <summary>
/// One <c>git cat-file --batch</c> process: a writer feeds it object ids from the shared queue while
/// a reader scans each blob as it streams out, so git inflates and HogGuard scans at the same time.
/// </summary>
internal sealed class CatFileWorker
{
    private const int MaxInFlight = 512;

    private readonly string _root;
    private readonly ChannelReader<BlobRef> _queue;
    private readonly FindingSet _sink;
    private readonly ScanStatistics _stats;
    private readonly ScanOptions _options;

    public CatFileWorker(string root, ChannelReader<BlobRef> queue, FindingSet sink, ScanStatistics stats, ScanOptions options)
    {
        _root = root;
        _queue = queue;
        _sink = sink;
        _stats = stats;
        _options = options;
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var process = Git.Start(_root, "cat-file", "--batch");
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        var inFlight = Channel.CreateBounded<BlobRef>(new BoundedChannelOptions(MaxInFlight) { SingleReader = true, SingleWriter = true });
        var writer = Task.Run(() => FeedAsync(process, inFlight.Writer, cancellationToken), cancellationToken);
        var reader = Task.Factory.StartNew(() => Drain(process, inFlight.Reader, cancellationToken), cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        try
        {
            await Task.WhenAll(writer, reader).ConfigureAwait(false);
        }
        catch
        {
            TryKill(process);
            throw;
        }

        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            throw new GitException($"git cat-file failed in {_root}: {Git.FirstLine(await stderr.ConfigureAwait(false))}");
        }
    }

    private async Task FeedAsync(Process process, ChannelWriter<BlobRef> inFlight, CancellationToken cancellationToken)
    {
        var stdin = process.StandardInput.BaseStream;
        var line = new byte[128];
        try
        {
            while (await _queue.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                while (_queue.TryRead(out var blob))
                {
                    if (!inFlight.TryWrite(blob))
                    {
                        // The reader is behind: let git see what it has so far, then wait for room.
                        await stdin.FlushAsync(cancellationToken).ConfigureAwait(false);
                        await inFlight.WriteAsync(blob, cancellationToken).ConfigureAwait(false);
                    }

                    var n = Encoding.ASCII.GetBytes(blob.Id, line);
                    line[n] = (byte)'\n';
                    await stdin.WriteAsync(line.AsMemory(0, n + 1), cancellationToken).ConfigureAwait(false);
                }

                await stdin.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            inFlight.TryComplete();
            stdin.Close();
        }
    }

    private void Drain(Process process, ChannelReader<BlobRef> inFlight, CancellationToken cancellationToken)
    {
        using var stdout = new BufferedStream(process.StandardOutput.BaseStream, 1 << 20);
        var scanner = new ContentScanner(_sink);
        var header = new byte[256];
        while (true)
        {
            if (!inFlight.TryRead(out var blob))
            {
                if (!inFlight.WaitToReadAsync(cancellationToken).AsTask().GetAwaiter().GetResult())
                {
                    return;
                }

                continue;
            }

            var length = ReadLine(stdout, header);
            if (length < 0)
            {
                throw new GitException($"git cat-file stopped early in {_root} (is the repository damaged? try 'git fsck')");
            }

            var text = Encoding.ASCII.GetString(header, 0, length);
            var parts = text.Split(' ');
            if (parts.Length == 2 && parts[1] == "missing")
            {
                _stats.AddMissing();
                continue;
            }

            if (parts.Length != 3 || !long.TryParse(parts[2], out var size))
            {
                throw new GitException($"git cat-file answered an unexpected header in {_root}: '{text}'");
            }

            if (parts[1] != "blob")
            {
                SkipBytes(stdout, size + 1);
                continue;
            }

            if (size > _options.Config.MaxFileSize)
            {
                _stats.AddTooLarge();
                SkipBytes(stdout, size + 1);
                continue;
            }

            var outcome = scanner.Scan(stdout, size, blob.Path, blob.Id);
            if (outcome == ContentOutcome.Binary)
            {
                _stats.AddBinary();
            }
            else
            {
                _stats.AddScanned(size);
            }

            if (stdout.ReadByte() != '\n')
            {
                throw new GitException($"git cat-file output is out of step in {_root}");
            }

            _options.Progress?.Report(_stats);
        }
    }

    private static int ReadLine(Stream stream, byte[] buffer)
    {
        var n = 0;
        while (true)
        {
            var b = stream.ReadByte();
            if (b < 0)
            {
                return -1;
            }

            if (b == '\n')
            {
                return n;
            }

            if (n < buffer.Length)
            {
                buffer[n++] = (byte)b;
            }
        }
    }

    private static void SkipBytes(Stream stream, long count)
    {
        Span<byte> scratch = stackalloc byte[8192];
        while (count > 0)
        {
            var n = stream.Read(scratch[..(int)Math.Min(scratch.Length, count)]);
            if (n == 0)
            {
                return;
            }

            count -= n;
        }
    }

    private static void TryKill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
        }
    }
}
