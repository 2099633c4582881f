using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace HogGuard.PostHogApi;

/// <summary>
/// How <see cref="PostHogClient"/> reads PostHog's answers: a bounded body, the proof that a body is
/// PostHog's own (a flags object, a capture status, a page of results), PostHog's <c>detail</c> and
/// missing-scope wording, redirects named without their query, and when to retry.
/// </summary>
internal static class PostHogAnswers
{
    internal static readonly System.Text.RegularExpressions.Regex ScopePattern =
        new("missing required scope '([^']+)'|lacks required scopes? \\(([a-z_]+:(?:read|write))", System.Text.RegularExpressions.RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    internal static bool TryReadPage<T>(JsonElement root, JsonTypeInfo<T> item, List<T> items, out string? next)
    {
        next = null;
        JsonElement results;
        if (root.ValueKind == JsonValueKind.Array)
        {
            results = root;
        }
        else if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("results", out results) && results.ValueKind == JsonValueKind.Array)
        {
            if (root.TryGetProperty("next", out var link) && link.ValueKind == JsonValueKind.String && link.GetString() is { Length: > 0 } url)
            {
                if (!Uri.TryCreate(url, UriKind.RelativeOrAbsolute, out var uri))
                {
                    return false;
                }

                next = (uri.IsAbsoluteUri ? uri.PathAndQuery : url).TrimStart('/');
            }
        }
        else
        {
            return false;
        }

        try
        {
            foreach (var element in results.EnumerateArray())
            {
                if (element.Deserialize(item) is { } value)
                {
                    items.Add(value);
                }
            }
        }
        catch (JsonException)
        {
            return false;
        }

        return true;
    }

    internal static bool IsFlagDefinitions(int status, string body) =>
        status == 200 && TryParseObject(body, out var root) && root.TryGetProperty("flags", out var flags) && flags.ValueKind == JsonValueKind.Array;

    internal static bool IsCaptureAnswer(int status, string body) =>
        status == 204 || (TryParseObject(body, out var root) && root.TryGetProperty("status", out _));

    internal static bool TryParseObject(string body, out JsonElement root)
    {
        root = default;
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return false;
            }

            root = document.RootElement.Clone();
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    internal static string ScopeOf(System.Text.RegularExpressions.Match match) =>
        match.Groups[1].Success ? match.Groups[1].Value : match.Groups[2].Value;

    /// <summary>PostHog's <c>detail</c>; the flags service answers some errors in plain text, which is shown shortened.</summary>
    /// <summary>The most of an answer that is read (8 MB): PostHog's answers to these calls are kilobytes.</summary>
    internal const int MaxAnswerBytes = 8 * 1024 * 1024;

    internal sealed class AnswerTooLargeException(int limit) : Exception($"the answer is over {limit} bytes")
    {
        public int Limit => limit;
    }

    /// <summary>Reads the body (inside the attempt's timeout), at most <see cref="MaxAnswerBytes"/>; a larger one is refused, not buffered.</summary>
    internal static async Task<HttpResponseMessage> BufferedAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            if (response.Content.Headers.ContentLength > MaxAnswerBytes)
            {
                throw new AnswerTooLargeException(MaxAnswerBytes);
            }

            using var buffer = new MemoryStream();
            var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (body.ConfigureAwait(false))
            {
                var chunk = new byte[16 * 1024];
                int read;
                while ((read = await body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    if (buffer.Length + read > MaxAnswerBytes)
                    {
                        throw new AnswerTooLargeException(MaxAnswerBytes);
                    }

                    buffer.Write(chunk, 0, read);
                }
            }

            var content = new ByteArrayContent(buffer.ToArray());
            foreach (var header in response.Content.Headers)
            {
                content.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }

            response.Content.Dispose();
            response.Content = content;
            return response;
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    internal static string? ErrorDetail(string body)
    {
        try
        {
            if (JsonSerializer.Deserialize(body, ApiJsonContext.Default.PostHogError)?.Detail is { } detail)
            {
                return Shorten(detail);
            }
        }
        catch (JsonException)
        {
        }

        var text = body.Trim();
        return text.Length == 0 || text.StartsWith('<') ? null : Shorten(text);
    }

    internal static string Describe(HttpResponseMessage response, string body)
    {
        var type = response.Content.Headers.ContentType?.MediaType;
        var trimmed = body.TrimStart();
        return trimmed.Length == 0 ? "an empty body"
            : trimmed.StartsWith('<') || type == "text/html" ? "an HTML page"
            : $"a body of type {type ?? "unknown"}";
    }

    internal static string WithoutQuery(string location)
    {
        var query = location.IndexOfAny(['?', '#']);
        return query < 0 ? location : location[..query] + "?(query not shown)";
    }

    /// <summary>
    /// Text from a host, made safe to print: one line, no control characters (an ANSI escape or a
    /// carriage return in an error body could rewrite the user's terminal), at most 200 characters.
    /// </summary>
    internal static string Shorten(string text)
    {
        var line = string.Create(text.Length, text, static (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                span[i] = char.IsControl(source[i]) || source[i] is '\u2028' or '\u2029' ? ' ' : source[i];
            }
        });
        return line.Length <= 200 ? line : line[..200] + "...";
    }

    internal static bool IsTransient(HttpResponseMessage response) => (int)response.StatusCode is 429 or >= 500;

    internal static TimeSpan? RetryAfter(HttpResponseMessage response, TimeProvider clock)
    {
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta)
        {
            return delta;
        }

        return header?.Date is { } date ? date - clock.GetUtcNow() : null;
    }
}
