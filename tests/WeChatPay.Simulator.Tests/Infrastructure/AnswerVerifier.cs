using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;

namespace WeChatPay.Simulator.Tests.Infrastructure;

/// <summary>What a merchant does with every 2xx and every notification: pick the key the serial names, check time and signature.</summary>
public sealed class AnswerVerifier(IReadOnlyDictionary<string, RSA> keys)
{
    public IReadOnlyDictionary<string, RSA> Keys { get; } = keys;

    /// <summary>The public key and every certificate as <c>/_sim/keys</c> publishes them.</summary>
    public static async Task<AnswerVerifier> FromControlAsync(ControlClient control)
    {
        var published = await control.GetAsync("/_sim/keys");
        var keys = new Dictionary<string, RSA>(StringComparer.OrdinalIgnoreCase)
        {
            [published.GetProperty("public_key_id").GetString()!] = ImportPublicKey(published.GetProperty("public_key_pem").GetString()!),
        };
        foreach (var certificate in published.GetProperty("certificates").EnumerateArray())
        {
            keys[certificate.GetProperty("serial_no").GetString()!] = CertificateKey(certificate.GetProperty("pem").GetString()!);
        }

        return new AnswerVerifier(keys);
    }

    /// <summary>The certificates as <c>GET /v3/certificates</c> serves them, each PEM decrypted with the APIv3 key.</summary>
    public static IReadOnlyDictionary<string, (string Pem, RSA Key)> Certificates(JsonElement download, string apiV3Key) =>
        download.GetProperty("data").EnumerateArray().ToDictionary(
            c => c.GetProperty("serial_no").GetString()!,
            c =>
            {
                var sealedPem = c.GetProperty("encrypt_certificate");
                var pem = TestCrypto.Decrypt(
                    apiV3Key,
                    sealedPem.GetProperty("nonce").GetString()!,
                    sealedPem.GetProperty("associated_data").GetString()!,
                    sealedPem.GetProperty("ciphertext").GetString()!);
                return (pem, CertificateKey(pem));
            });

    public static RSA ImportPublicKey(string pem)
    {
        var key = RSA.Create();
        key.ImportFromPem(pem);
        return key;
    }

    public static RSA CertificateKey(string pem)
    {
        using var certificate = X509Certificate2.CreateFromPem(pem);
        return certificate.GetRSAPublicKey()!;
    }

    public bool Verifies(IReadOnlyDictionary<string, string> headers, byte[] body) =>
        headers.TryGetValue("Wechatpay-Serial", out var serial)
        && headers.TryGetValue("Wechatpay-Timestamp", out var timestamp)
        && headers.TryGetValue("Wechatpay-Nonce", out var nonce)
        && headers.TryGetValue("Wechatpay-Signature", out var signature)
        && Keys.TryGetValue(serial, out var key)
        && Math.Abs(DateTimeOffset.UtcNow.ToUnixTimeSeconds() - long.Parse(timestamp, CultureInfo.InvariantCulture)) <= 300
        && TestCrypto.Verify(key, TestCrypto.ResponseMessage(timestamp, nonce, body), signature);

    public void ShouldVerify(WxReply reply) =>
        Verifies(reply.Headers, reply.Raw).ShouldBeTrue($"answer {(int)reply.Status} {reply.Text} did not verify (serial {reply.Header("Wechatpay-Serial")})");
}
