using System.Text;

namespace WeChatPay;

/// <summary>The byte strings WeChat Pay signs: every line ends with <c>\n</c>, the last one too.</summary>
internal static class SignedMessages
{
    /// <summary><c>METHOD\nURL\nTIMESTAMP\nNONCE\nBODY\n</c> (§1): the body is the exact bytes sent, empty for a GET.</summary>
    public static byte[] RequestMessage(string method, string pathAndQuery, long timestamp, string nonce, ReadOnlySpan<byte> body) =>
        Lines(Encoding.UTF8.GetBytes($"{method}\n{pathAndQuery}\n{timestamp}\n{nonce}\n"), body);

    /// <summary><c>TIMESTAMP\nNONCE\nBODY\n</c> (§2) over the raw body bytes.</summary>
    public static byte[] ResponseMessage(string timestamp, string nonce, ReadOnlySpan<byte> body) =>
        Lines(Encoding.UTF8.GetBytes($"{timestamp}\n{nonce}\n"), body);

    /// <summary><c>appId\ntimeStamp\nnonceStr\npackage\n</c>, what the JSAPI <c>paySign</c> covers.</summary>
    public static byte[] JsapiMessage(string appId, string timeStamp, string nonceStr, string package) =>
        Encoding.UTF8.GetBytes($"{appId}\n{timeStamp}\n{nonceStr}\n{package}\n");

    private static byte[] Lines(byte[] head, ReadOnlySpan<byte> body)
    {
        var message = new byte[head.Length + body.Length + 1];
        head.CopyTo(message, 0);
        body.CopyTo(message.AsSpan(head.Length));
        message[^1] = (byte)'\n';
        return message;
    }
}
