using System.Globalization;
using System.Text;

namespace WeChatPay.Simulator.Crypto;

internal enum SignatureFault
{
    None,
    StaleTimestamp,
    BadSignature,
    Unsigned,
}

/// <summary>The four <c>Wechatpay-*</c> headers over <c>TIMESTAMP\nNONCE\nBODY\n</c>, for answers and notifications alike.</summary>
internal sealed record WechatpayHeaders(string Timestamp, string Nonce, string Serial, string Signature)
{
    public const string SignatureType = "WECHATPAY2-SHA256-RSA2048";

    public static WechatpayHeaders? Create(SimKeys keys, SigningMode mode, ReadOnlySpan<byte> body, SignatureFault fault, TimeSpan staleAge)
    {
        if (fault == SignatureFault.Unsigned)
        {
            return null;
        }

        var at = DateTimeOffset.UtcNow - (fault == SignatureFault.StaleTimestamp ? staleAge : TimeSpan.Zero);
        var timestamp = at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var nonce = WeChatCrypto.Nonce(32);
        var (serial, key) = keys.SignerFor(mode);
        var signed = fault == SignatureFault.BadSignature
            ? WeChatCrypto.ResponseMessage(timestamp, nonce, Encoding.UTF8.GetBytes("tampered"))
            : WeChatCrypto.ResponseMessage(timestamp, nonce, body);
        return new WechatpayHeaders(timestamp, nonce, serial, WeChatCrypto.Sign(key, signed));
    }

    public IEnumerable<KeyValuePair<string, string>> Pairs() =>
    [
        new("Wechatpay-Timestamp", Timestamp),
        new("Wechatpay-Nonce", Nonce),
        new("Wechatpay-Signature", Signature),
        new("Wechatpay-Serial", Serial),
        new("Wechatpay-Signature-Type", SignatureType),
    ];
}
