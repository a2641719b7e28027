using System.Diagnostics.CodeAnalysis;
using System.Net.Http.Headers;

namespace WeChatPay;

/// <summary>The four headers WeChat Pay signs an answer or a notification with (§2), as received.</summary>
public sealed record WeChatPaySignatureHeaders(string? Timestamp, string? Nonce, string? Signature, string? Serial)
{
    public const string TimestampHeader = "Wechatpay-Timestamp";
    public const string NonceHeader = "Wechatpay-Nonce";
    public const string SignatureHeader = "Wechatpay-Signature";
    public const string SerialHeader = "Wechatpay-Serial";

    [MemberNotNullWhen(true, nameof(Timestamp), nameof(Nonce), nameof(Signature), nameof(Serial))]
    public bool IsComplete =>
        !string.IsNullOrEmpty(Timestamp) && !string.IsNullOrEmpty(Nonce) && !string.IsNullOrEmpty(Signature) && !string.IsNullOrEmpty(Serial);

    /// <summary>Reads the headers through <paramref name="header"/>, e.g. <c>name =&gt; request.Headers[name]</c> in ASP.NET Core.</summary>
    public static WeChatPaySignatureHeaders From(Func<string, string?> header) =>
        new(header(TimestampHeader), header(NonceHeader), header(SignatureHeader), header(SerialHeader));

    public static WeChatPaySignatureHeaders From(HttpHeaders headers) =>
        From(name => headers.TryGetValues(name, out var values) ? string.Join(",", values) : null);
}
