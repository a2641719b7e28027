using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace Vending.Platform;

/// <summary>
/// Signs a <see cref="PayloadContent"/> as CONTRACT §2 describes (sorted <c>k=v</c>, <c>&amp;key=AppKey</c>, MD5, base64 envelope)
/// with a fresh timestamp on every attempt, so a retried query is never refused as stale.
/// </summary>
internal sealed class PayloadSigningHandler(IOptions<PlatformOptions> options, TimeProvider time) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Content is not PayloadContent unsigned)
        {
            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }

        var timestamp = time.GetUtcNow().ToUnixTimeSeconds();
        var payload = PayloadSigner.EncodePayload([.. unsigned.Fields, PayloadField.Text("timestamp", timestamp)], options.Value.AppKey);
        request.Content = Json(JsonSerializer.SerializeToUtf8Bytes(new SignedBody(payload), PlatformJson.Options));
        try
        {
            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // A retry re-sends this request message: it must find the unsigned fields again, not this attempt's stale sign.
            request.Content = unsigned;
        }
    }

    internal static ByteArrayContent Json(byte[] json) =>
        new(json) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" } } };

    private sealed record SignedBody(string Payload);
}
