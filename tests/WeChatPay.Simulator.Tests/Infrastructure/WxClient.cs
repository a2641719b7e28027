using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace WeChatPay.Simulator.Tests.Infrastructure;

public sealed record WxReply(HttpStatusCode Status, byte[] Raw, IReadOnlyDictionary<string, string> Headers)
{
    public string Text => Encoding.UTF8.GetString(Raw);

    public JsonElement Json => JsonDocument.Parse(Raw).RootElement.Clone();

    public string Code => Json.GetProperty("code").GetString()!;

    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;

    public string Field(string name) => Json.GetProperty(name).GetString()!;
}

/// <summary>How a request is signed; the defaults are the merchant's own, each can be spoiled for a test.</summary>
public sealed record Signing
{
    public RSA? Key { get; init; }

    public DateTimeOffset? At { get; init; }

    public string? MchId { get; init; }

    public string? Serial { get; init; }

    /// <summary>Sign this body while sending the real one (a tampered body).</summary>
    public string? SignedBody { get; init; }

    /// <summary>Sign this URL while requesting the real one.</summary>
    public string? SignedUrl { get; init; }

    public bool Unsigned { get; init; }
}

/// <summary>Calls the simulated API v3 as a merchant would, signing every request with the test-side signer.</summary>
public sealed class WxClient(HttpClient http, RSA merchantKey, string mchId, string serial)
{
    public const string MchId = "1230000109";
    public const string AppId = "wxd678efh567hg6787";
    public const string Serial = "5157F09EFDC096DE15EBE81A47057A7232F1B8E1";

    public HttpClient Http { get; } = http;

    public RSA MerchantKey { get; set; } = merchantKey;

    public string SignerMchId { get; set; } = mchId;

    public string SignerSerial { get; set; } = serial;

    public Task<WxReply> PostAsync(string path, object body, Signing? signing = null) =>
        SendAsync(HttpMethod.Post, path, JsonSerializer.Serialize(body), signing);

    public Task<WxReply> GetAsync(string pathAndQuery, Signing? signing = null) => SendAsync(HttpMethod.Get, pathAndQuery, null, signing);

    public async Task<WxReply> SendAsync(HttpMethod method, string pathAndQuery, string? body, Signing? signing = null, Action<HttpRequestMessage>? tweak = null)
    {
        signing ??= new Signing();
        using var request = new HttpRequestMessage(method, pathAndQuery);
        request.Headers.TryAddWithoutValidation("Accept", "application/json");
        request.Headers.TryAddWithoutValidation("User-Agent", "WeChatPay.Simulator.Tests/1.0");
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        if (!signing.Unsigned)
        {
            var timestamp = (signing.At ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
            var nonce = TestCrypto.Nonce();
            var message = TestCrypto.RequestMessage(
                method.Method, signing.SignedUrl ?? pathAndQuery, timestamp, nonce, signing.SignedBody ?? body ?? "");
            var signature = TestCrypto.Sign(signing.Key ?? MerchantKey, message);
            request.Headers.TryAddWithoutValidation("Authorization",
                $"WECHATPAY2-SHA256-RSA2048 mchid=\"{signing.MchId ?? SignerMchId}\",nonce_str=\"{nonce}\",signature=\"{signature}\","
                + $"timestamp=\"{timestamp}\",serial_no=\"{signing.Serial ?? SignerSerial}\"");
        }

        tweak?.Invoke(request);
        using var response = await Http.SendAsync(request);
        var headers = response.Headers.Concat(response.Content.Headers)
            .ToDictionary(h => h.Key, h => string.Join(",", h.Value), StringComparer.OrdinalIgnoreCase);
        return new WxReply(response.StatusCode, await response.Content.ReadAsByteArrayAsync(), headers);
    }
}
