using System.Security.Cryptography;
using System.Text;

namespace WeChatPay.Simulator.Crypto;

/// <summary>The primitives of API v3: SHA256withRSA (PKCS#1 v1.5) signatures and AEAD_AES_256_GCM resources.</summary>
internal static class WeChatCrypto
{
    public const string ProbePrefix = "WECHATPAY/SIGNTEST/";

    private const string Alphanumerics = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private const int TagSize = 16;

    public static string Nonce(int length) => RandomNumberGenerator.GetString(Alphanumerics, length);

    public static byte[] RequestMessage(string method, string url, string timestamp, string nonce, ReadOnlySpan<byte> body) =>
        Message($"{method}\n{url}\n{timestamp}\n{nonce}\n", body);

    public static byte[] ResponseMessage(string timestamp, string nonce, ReadOnlySpan<byte> body) =>
        Message($"{timestamp}\n{nonce}\n", body);

    public static string Sign(RSA key, ReadOnlySpan<byte> message) =>
        Convert.ToBase64String(key.SignData(message, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));

    public static bool Verify(RSA key, ReadOnlySpan<byte> message, string signature)
    {
        var bytes = new byte[(signature.Length * 3 / 4) + 3];
        return !signature.StartsWith(ProbePrefix, StringComparison.Ordinal)
            && Convert.TryFromBase64String(signature, bytes, out var written)
            && key.VerifyData(message, bytes.AsSpan(0, written), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
    }

    public static string Encrypt(string apiV3Key, string nonce, string associatedData, string plaintext)
    {
        var plain = Encoding.UTF8.GetBytes(plaintext);
        var output = new byte[plain.Length + TagSize];
        using var aes = new AesGcm(Encoding.ASCII.GetBytes(apiV3Key), TagSize);
        aes.Encrypt(
            Encoding.UTF8.GetBytes(nonce),
            plain,
            output.AsSpan(0, plain.Length),
            output.AsSpan(plain.Length),
            Encoding.UTF8.GetBytes(associatedData));
        return Convert.ToBase64String(output);
    }

    public static string Decrypt(string apiV3Key, string nonce, string associatedData, string ciphertext)
    {
        var sealedBytes = Convert.FromBase64String(ciphertext);
        var cipherLength = sealedBytes.Length - TagSize;
        var plain = new byte[cipherLength];
        using var aes = new AesGcm(Encoding.ASCII.GetBytes(apiV3Key), TagSize);
        aes.Decrypt(
            Encoding.UTF8.GetBytes(nonce),
            sealedBytes.AsSpan(0, cipherLength),
            sealedBytes.AsSpan(cipherLength),
            plain,
            Encoding.UTF8.GetBytes(associatedData));
        return Encoding.UTF8.GetString(plain);
    }

    public static string JsapiMessage(string appId, string timeStamp, string nonceStr, string package) =>
        $"{appId}\n{timeStamp}\n{nonceStr}\n{package}\n";

    private static byte[] Message(string head, ReadOnlySpan<byte> body)
    {
        var headBytes = Encoding.UTF8.GetBytes(head);
        var message = new byte[headBytes.Length + body.Length + 1];
        headBytes.CopyTo(message, 0);
        body.CopyTo(message.AsSpan(headBytes.Length));
        message[^1] = (byte)'\n';
        return message;
    }
}
