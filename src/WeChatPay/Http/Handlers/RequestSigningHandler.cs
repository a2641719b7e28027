using System.Net.Http.Headers;
using Microsoft.Extensions.Options;

namespace WeChatPay;

/// <summary>
/// Signs every attempt as §1 describes: the exact body bytes that go out, the path and query as on the wire, and a fresh
/// timestamp and nonce, so a retry is never refused as a replay.
/// </summary>
internal sealed class RequestSigningHandler(IOptions<WeChatPayOptions> options, MerchantSigner signer, INonceSource nonces, TimeProvider time)
    : DelegatingHandler
{
    public const string Scheme = "WECHATPAY2-SHA256-RSA2048";

    private static readonly MediaTypeWithQualityHeaderValue Json = new("application/json");
    private static readonly ProductInfoHeaderValue Product = new("Merchant-WeChatPay", typeof(RequestSigningHandler).Assembly.GetName().Version?.ToString(3));
    private static readonly ProductInfoHeaderValue Runtime = new($"(.NET {Environment.Version})");

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ReadOnlyMemory<byte> body = Array.Empty<byte>();
        if (request.Content is { } content)
        {
            // Buffered content is what goes out, byte for byte, so these are the bytes we sign.
            await content.LoadIntoBufferAsync(cancellationToken).ConfigureAwait(false);
            body = await content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        }

        var settings = options.Value;
        var timestamp = time.GetUtcNow().ToUnixTimeSeconds();
        var nonce = nonces.Next();
        var signature = signer.Sign(SignedMessages.RequestMessage(request.Method.Method, request.RequestUri!.PathAndQuery, timestamp, nonce, body.Span));

        // Replaced, not added: a retry sends the same request message again.
        request.Headers.Remove("Authorization");
        request.Headers.TryAddWithoutValidation("Authorization",
            $"{Scheme} mchid=\"{settings.MchId}\",nonce_str=\"{nonce}\",signature=\"{signature}\",timestamp=\"{timestamp}\",serial_no=\"{settings.CertificateSerial}\"");
        request.Headers.Accept.Clear();
        request.Headers.Accept.Add(Json);
        request.Headers.UserAgent.Clear();
        request.Headers.UserAgent.Add(Product);
        request.Headers.UserAgent.Add(Runtime);
        return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }
}
