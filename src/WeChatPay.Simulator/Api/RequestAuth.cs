using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using WeChatPay.Simulator.Crypto;
using WeChatPay.Simulator.Merchant;

namespace WeChatPay.Simulator.Api;

/// <summary>Checks a request's <c>Authorization</c> exactly as WeChat Pay does (WECHATPAY.md §1).</summary>
internal static class RequestAuth
{
    public const string Scheme = "WECHATPAY2-SHA256-RSA2048";

    private const int TruncatedMessageLength = 512;
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(5);
    private static readonly string[] Required = ["mchid", "nonce_str", "signature", "timestamp", "serial_no"];

    public static WeChatException? Check(string? header, string method, string url, byte[] body, MerchantAccount merchant, DateTimeOffset now)
    {
        if (string.IsNullOrEmpty(header))
        {
            return WeChatErrors.Sign("Authorization header is missing");
        }

        if (!header.StartsWith(Scheme + " ", StringComparison.Ordinal))
        {
            return WeChatErrors.Sign($"Authorization must use the {Scheme} scheme");
        }

        if (Parse(header[(Scheme.Length + 1)..]) is not { } fields)
        {
            return WeChatErrors.Sign("Authorization must be key=\"value\" pairs separated by commas, each key once");
        }

        if (Required.FirstOrDefault(k => !fields.ContainsKey(k)) is { } missing)
        {
            return WeChatErrors.Sign($"{missing} is missing from Authorization");
        }

        if (fields["mchid"] != merchant.MchId)
        {
            return WeChatErrors.Sign("mchid does not match the merchant");
        }

        if (!fields["serial_no"].Equals(merchant.CertificateSerial, StringComparison.OrdinalIgnoreCase))
        {
            return WeChatErrors.Sign("serial_no is not the merchant's API certificate serial");
        }

        if (!long.TryParse(fields["timestamp"], NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            || seconds > 253402300799
            || (now - DateTimeOffset.FromUnixTimeSeconds(seconds)).Duration() > Window)
        {
            return WeChatErrors.Sign("timestamp is more than 5 minutes away from WeChat Pay's clock");
        }

        if (merchant.PublicKey is null)
        {
            return WeChatErrors.Sign("the simulator has no merchant public key (WeChatPaySim:MerchantPublicKeyPath or PUT /_sim/merchant)");
        }

        var message = WeChatCrypto.RequestMessage(method, url, fields["timestamp"], fields["nonce_str"], body);
        return WeChatCrypto.Verify(merchant.PublicKey, message, fields["signature"])
            ? null
            : WeChatErrors.Sign("sign not match", SignInformation(method, url, message));
    }

    private static Dictionary<string, string>? Parse(string parameters)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var part in parameters.Split(','))
        {
            var pair = part.Trim();
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0 || pair.Length < equals + 3 || pair[equals + 1] != '"' || pair[^1] != '"')
            {
                return null;
            }

            if (!fields.TryAdd(pair[..equals], pair[(equals + 2)..^1]))
            {
                return null;
            }
        }

        return fields;
    }

    // What WeChat expected, so the caller can diff it against what it signed; it holds no secret.
    private static JsonObject SignInformation(string method, string url, byte[] message)
    {
        var text = Encoding.UTF8.GetString(message);
        return new JsonObject
        {
            ["method"] = method,
            ["url"] = url,
            ["sign_message_length"] = message.Length,
            ["truncated_sign_message"] = text.Length > TruncatedMessageLength ? text[..TruncatedMessageLength] : text,
        };
    }
}
