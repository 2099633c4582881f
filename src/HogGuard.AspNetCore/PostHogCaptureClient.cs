using System.Globalization;
using HogGuard.PostHogApi;

namespace HogGuard.AspNetCore;

/// <summary>
/// Sends a service's events with the project token, through the same <see cref="CaptureTransport"/>
/// the audit shipper uses. Each event gets a time-ordered uuid once, so the client's retries send
/// the same event, which PostHog deduplicates.
/// </summary>
public sealed class PostHogCaptureClient(CaptureTransport transport, TimeProvider time)
{
    /// <summary>Captures one event; the result is PostHog's answer after retries (never an exception for HTTP failures).</summary>
    public Task<ApiResult<bool>> CaptureAsync(string eventName, string distinctId, IReadOnlyDictionary<string, object?>? properties = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(eventName);
        ArgumentException.ThrowIfNullOrWhiteSpace(distinctId);
        var now = time.GetUtcNow();
        var captured = new CaptureEvent(eventName, distinctId, Guid.CreateVersion7(now), now, writer =>
        {
            foreach (var (key, value) in properties ?? new Dictionary<string, object?>())
            {
                switch (value)
                {
                    case null:
                        writer.WriteNull(key);
                        break;
                    case bool b:
                        writer.WriteBoolean(key, b);
                        break;
                    case int or long or double or decimal or float:
                        writer.WriteNumber(key, Convert.ToDecimal(value, CultureInfo.InvariantCulture));
                        break;
                    case DateTimeOffset at:
                        writer.WriteString(key, at);
                        break;
                    default:
                        writer.WriteString(key, Convert.ToString(value, CultureInfo.InvariantCulture));
                        break;
                }
            }
        });
        return transport.SendAsync([captured], cancellationToken);
    }
}
