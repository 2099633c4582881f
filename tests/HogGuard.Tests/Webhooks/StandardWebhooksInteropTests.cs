using System.Text;
using HogGuard.Webhooks;
using Microsoft.AspNetCore.Http;
using StandardWebhooks;

namespace HogGuard.Tests.Webhooks;

/// <summary>Signatures made by the StandardWebhooks package verify with ours, and ours with theirs.</summary>
public sealed class StandardWebhooksInteropTests
{
    [Fact]
    public void TheirSignature_VerifiesWithOurs()
    {
        var secret = WebhookKey.NewStandardSecret();
        var now = DateTimeOffset.UtcNow;
        var body = "{\"event\":\"signed_up\",\"properties\":{\"plan\":\"é\"}}";
        var signature = new StandardWebhook(secret).Sign("msg_interop_1", now, body);

        var result = new WebhookVerifier(new WebhookVerifierOptions(), [WebhookKey.FromStandardSecret("k", secret)])
            .Verify("msg_interop_1", now.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture), signature, Encoding.UTF8.GetBytes(body));

        Assert.True(result.IsValid, result.Status.ToString());
    }

    [Fact]
    public void OurSignature_VerifiesWithTheirs()
    {
        var secret = WebhookKey.NewStandardSecret();
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var body = "{\"event\":\"$pageview\"}";
        var signature = WebhookSigner.SignStandard(WebhookKey.FromStandardSecret("k", secret), "msg_interop_2", now, Encoding.UTF8.GetBytes(body));
        var headers = new HeaderDictionary
        {
            ["webhook-id"] = "msg_interop_2",
            ["webhook-timestamp"] = now.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["webhook-signature"] = signature,
        };

        var exception = Record.Exception(() => new StandardWebhook(secret).Verify(body, headers));

        Assert.Null(exception);
    }
}
