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
        // %(rest) echoes the path written after each id, so the reader needs no queue of its own;
        // --buffer lets git fill whole pipe buffers instead of flushing after every object.
        using var process = Git.Start(_root, [.. Git.BoundedMemory, "cat-file", "--buffer", "--batch=%(objectname) %(objecttype) %(objectsize) %(rest)"]);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        var writer = Task.Run(() => FeedAsync(process, cancellationToken), cancellationToken);
        var reader = Task.Factory.StartNew(() => Drain(process), cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);

        // If the reader fails nobody drains git's output, so git stops reading and the writer would
        // wait for ever: stop git at once, which ends the writer too.
        _ = reader.ContinueWith(_ => Git.TryKill(process), CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        try
        {
            await Task.WhenAll(writer, reader).ConfigureAwait(false);
        }
        catch
        {
            Git.TryKill(process);
            throw;
        }

        await Git.EnsureSuccessAsync(process, stderr, "cat-file", _root, cancellationToken).ConfigureAwait(false);
    }

    private async Task FeedAsync(Process process, CancellationToken cancellationToken)
    {
        var stdin = new BufferedStream(process.StandardInput.BaseStream, 1 << 16);
        try
        {
            while (await _queue.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                while (_queue.TryRead(out var blob))
                {
                    var line = Encoding.UTF8.GetBytes($"{blob.Id} {blob.Path}\n");
                    await stdin.WriteAsync(line, cancellationToken).ConfigureAwait(false);
                }

                // Nothing queued right now: hand git what it has.
                await stdin.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (IOException)
        {
            // git stopped reading (it died): its exit code and message are reported by RunAsync.
        }
        finally
        {
            try
            {
                await stdin.DisposeAsync().ConfigureAwait(false);
            }
            catch (IOException)
            {
            }
        }
    }

    private void Drain(Process process)
    {
        using var stdout = new BufferedStream(process.StandardOutput.BaseStream, 1 << 20);
        var scanner = new ContentScanner(_sink, _options.Archives);
        var header = new byte[4096];
        while (true)
        {
            var length = ReadLine(stdout, header);
            if (length < 0)
            {
                return;
            }

            var text = Encoding.UTF8.GetString(header, 0, length);
            var parts = text.Split(' ', 4);
            if (parts.Length >= 2 && parts[1] == "missing")
            {
                _stats.AddMissing();
                continue;
            }

            if (parts.Length < 3 || !long.TryParse(parts[2], out var size))
            {
                throw new GitException($"git cat-file answered an unexpected header in {_root}: '{text}'; check the repository with 'git fsck' and the git on PATH with 'git --version'");
            }

            var path = parts.Length == 4 ? parts[3] : string.Empty;
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

            var outcome = scanner.Scan(stdout, size, path, parts[0]);
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
                throw new GitException($"git cat-file output is out of step in {_root} (a blob ended early); check the repository with 'git fsck'");
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
}
