using System.Globalization;
using HogGuard.Webhooks;

namespace HogGuard.Checklist;

/// <summary>
/// Item 5: every webhook in hogguard.yml has a readable signing secret, and a probed endpoint refuses an
/// unsigned and a wrongly signed Standard Webhooks delivery with 401.
/// </summary>
internal sealed class WebhookSignatures() : SecurityCheck(5, "webhook-signatures", "Webhook signatures are validated")
{
    public override async Task<CheckItem> RunAsync(CheckContext c, CancellationToken ct)
    {
        if (c.Config.Webhooks.Count == 0 && c.Options.Probe is null)
        {
            return Skip(["hogguard.yml names no webhooks"]);
        }

        var problems = new List<string>();
        var evidence = new List<string>();
        foreach (var webhook in c.Config.Webhooks)
        {
            if (webhook.Secret is null)
            {
                problems.Add($"webhook '{webhook.Name}' has no secret configured");
                continue;
            }

            var (value, problem) = c.Reader.Read(webhook.Secret);
            if (value is null)
            {
                problems.Add($"webhook '{webhook.Name}': {problem}");
            }
            else
            {
                evidence.Add($"webhook '{webhook.Name}' has a secret ({webhook.Secret})");
            }
        }

        if (c.Options.Probe is not null)
        {
            var unsigned = await PostAsync(c, signed: false, ct).ConfigureAwait(false);
            var forged = await PostAsync(c, signed: true, ct).ConfigureAwait(false);
            foreach (var (what, status) in new[] { ("an unsigned delivery", unsigned), ("a wrongly signed delivery", forged) })
            {
                (status == "401" ? evidence : problems).Add($"{c.Options.Probe}: {what} got {status}{(status == "401" ? string.Empty : ", not 401")}");
            }
        }
        else
        {
            evidence.Add("endpoint not probed (add --probe URL)");
        }

        return problems.Count > 0
            ? Fail([.. problems, .. evidence], "Configure a signing secret for every webhook and verify each delivery (HogGuard.AspNetCore: .RequirePostHogSignature()); refuse unsigned and wrongly signed deliveries with 401.")
            : Pass(evidence);
    }

    private static async Task<string> PostAsync(CheckContext c, bool signed, CancellationToken ct)
    {
        var body = "{\"event\":\"hogguard.check\"}"u8.ToArray();
        using var request = new HttpRequestMessage(HttpMethod.Post, c.Options.Probe) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        if (signed)
        {
            // Signed with a key nobody configured: a verifying endpoint must refuse it.
            using var key = WebhookKey.FromStandardSecret("hogguard-check", WebhookKey.NewStandardSecret());
            var id = "msg_hogguard_check_" + Guid.NewGuid().ToString("N");
            var timestamp = c.Time.GetUtcNow().ToUnixTimeSeconds();
            request.Headers.TryAddWithoutValidation("webhook-id", id);
            request.Headers.TryAddWithoutValidation("webhook-timestamp", timestamp.ToString(CultureInfo.InvariantCulture));
            request.Headers.TryAddWithoutValidation("webhook-signature", WebhookSigner.SignStandard(key, id, timestamp, body));
        }

        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(10));
            using var response = await c.Http.SendAsync(request, timeout.Token).ConfigureAwait(false);
            return ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            return $"no answer ({e.Message})";
        }
    }
}
