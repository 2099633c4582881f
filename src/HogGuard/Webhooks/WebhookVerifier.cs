using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace HogGuard.Webhooks;

/// <summary>
/// Verifies PostHog webhook deliveries. Bad input is a result, never an exception; the exact body
/// bytes are hashed; signatures are compared in fixed time; a delivery is accepted only with a
/// fresh timestamp, a signature from a key valid at that time, and an id not seen before. Nothing
/// is allocated per verification besides what the replay store keeps.
/// </summary>
public sealed class WebhookVerifier
{
    private const int HashSize = 32;
    private const int MaxCandidates = 8;

    /// <summary>Seconds above this are a milliseconds value (it is the year 5138 in seconds).</summary>
    private const long MaxSeconds = 99_999_999_999;

    private readonly WebhookKey[] _keys;
    private readonly WebhookVerifierOptions _options;
    private readonly TimeProvider _time;
    private readonly IWebhookReplayStore? _replay;

    /// <param name="replayStore">Where accepted ids are remembered; null turns replay protection off.</param>
    public WebhookVerifier(WebhookVerifierOptions options, IEnumerable<WebhookKey> keys, TimeProvider? time = null, IWebhookReplayStore? replayStore = null)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _keys = [.. keys ?? []];
        _time = time ?? TimeProvider.System;
        _replay = replayStore;
    }

    /// <summary>The options it verifies with.</summary>
    public WebhookVerifierOptions Options => _options;

    /// <summary>Verifies a delivery given its header values (null when absent) and exact body bytes.</summary>
    /// <param name="id">The <c>webhook-id</c> value; unused by the hex scheme.</param>
    public WebhookVerificationResult Verify(string? id, string? timestamp, string? signature, ReadOnlySpan<byte> body)
    {
        if (_keys.Length == 0)
        {
            return new(WebhookVerificationStatus.NoSecretConfigured);
        }

        var standard = _options.Scheme == WebhookScheme.StandardWebhooks;
        if (string.IsNullOrEmpty(timestamp) || string.IsNullOrEmpty(signature) || (standard && string.IsNullOrEmpty(id)))
        {
            return new(WebhookVerificationStatus.MissingHeader);
        }

        var max = _options.MaxHeaderLength;
        if (timestamp.Length > 20 || signature.Length > max || (standard && id!.Length > max))
        {
            return new(WebhookVerificationStatus.MalformedHeader);
        }

        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) || seconds > MaxSeconds)
        {
            return new(WebhookVerificationStatus.MalformedHeader);
        }

        var sent = DateTimeOffset.FromUnixTimeSeconds(seconds);
        var now = _time.GetUtcNow();
        if ((now - sent).Duration() > _options.Tolerance)
        {
            return new(WebhookVerificationStatus.TimestampOutsideTolerance);
        }

        Span<byte> candidates = stackalloc byte[MaxCandidates * HashSize];
        var count = standard ? ParseStandard(signature, candidates, out var wellFormed) : ParseHex(signature, candidates, out wellFormed);
        if (!wellFormed)
        {
            return new(WebhookVerificationStatus.MalformedHeader);
        }

        var matched = count == 0 ? null : Match(standard ? id : null, timestamp, body, sent, candidates[..(count * HashSize)]);
        if (matched is null)
        {
            return new(WebhookVerificationStatus.NoMatchingSignature);
        }

        // Recorded only once the signature is proven, so unsigned requests cannot fill the store. The
        // hex scheme has no id: its key is the signature's bytes, never the header text, so the same
        // delivery with the signature in another case or padded with spaces is still a replay.
        var replayId = standard ? id! : "hex:" + Convert.ToHexStringLower(candidates[..HashSize]);
        if (_replay is not null && !_replay.TryRecord(replayId, (sent > now ? sent : now) + _options.Tolerance, now))
        {
            return new(WebhookVerificationStatus.Replayed);
        }

        return new(WebhookVerificationStatus.Valid, matched.Id);
    }

    private WebhookKey? Match(string? id, string timestamp, ReadOnlySpan<byte> body, DateTimeOffset sent, ReadOnlySpan<byte> candidates)
    {
        var prefixLength = (id is null ? 0 : Encoding.UTF8.GetByteCount(id) + 1) + timestamp.Length + 1;
        var buffer = ArrayPool<byte>.Shared.Rent(prefixLength + body.Length);
        Span<byte> expected = stackalloc byte[HashSize];
        try
        {
            var content = buffer.AsSpan(0, prefixLength + body.Length);
            WebhookSigner.WriteSignedContent(content, id, timestamp, body);
            WebhookKey? matched = null;
            foreach (var key in _keys)
            {
                if (!key.IsValidAt(sent))
                {
                    continue;
                }

                HMACSHA256.HashData(key.Bytes, content, expected);
                for (var i = 0; i < candidates.Length; i += HashSize)
                {
                    // Every candidate is compared, in fixed time, whatever matched before.
                    if (CryptographicOperations.FixedTimeEquals(candidates.Slice(i, HashSize), expected))
                    {
                        matched ??= key;
                    }
                }
            }

            return matched;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(expected);
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Reads space-separated <c>version,value</c> entries; keeps up to 8 well-formed <c>v1</c>
    /// signatures. Unknown versions are skipped; an entry that is not <c>version,value</c> makes the
    /// header malformed.
    /// </summary>
    internal static int ParseStandard(ReadOnlySpan<char> header, Span<byte> candidates, out bool wellFormed)
    {
        wellFormed = true;
        var count = 0;
        foreach (var range in header.Split(' '))
        {
            var entry = header[range];
            if (entry.IsEmpty)
            {
                continue;
            }

            var comma = entry.IndexOf(',');
            if (comma <= 0 || comma == entry.Length - 1)
            {
                wellFormed = false;
                return 0;
            }

            if (count < MaxCandidates && entry[..comma].SequenceEqual("v1")
                && Convert.TryFromBase64Chars(entry[(comma + 1)..], candidates[(count * HashSize)..], out var written) && written == HashSize)
            {
                count++;
            }
        }

        return count;
    }

    /// <summary>One hex HMAC (64 hex digits, any case).</summary>
    internal static int ParseHex(ReadOnlySpan<char> header, Span<byte> candidates, out bool wellFormed)
    {
        var hex = header.Trim();
        wellFormed = hex.Length == HashSize * 2
            && Convert.FromHexString(hex, candidates[..HashSize], out _, out var written) == OperationStatus.Done
            && written == HashSize;
        return wellFormed ? 1 : 0;
    }
}
