using System.Security.Cryptography;
using System.Text;

namespace WeChatPay.Simulator.Tests.Infrastructure;

/// <summary>A deliberately separate implementation of the v3 primitives, proven on vectors.json before it judges the simulator.</summary>
public static class TestCrypto
{
    public static string RequestMessage(string method, string url, string timestamp, string nonce, string body) =>
        string.Concat(method, "\n", url, "\n", timestamp, "\n", nonce, "\n", body, "\n");

    public static byte[] ResponseMessage(string timestamp, string nonce, byte[] body) =>
        [.. Encoding.UTF8.GetBytes(timestamp + "\n" + nonce + "\n"), .. body, (byte)'\n'];

    public static string Sign(RSA privateKey, string message) => Sign(privateKey, Encoding.UTF8.GetBytes(message));

    public static string Sign(RSA privateKey, byte[] message)
    {
        using var sha = SHA256.Create();
        var hash = sha.ComputeHash(message);
        return Convert.ToBase64String(privateKey.SignHash(hash, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
    }

    public static bool Verify(RSA publicKey, byte[] message, string signature)
    {
        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(signature);
        }
        catch (FormatException)
        {
            return false;
        }

        return publicKey.VerifyHash(SHA256.HashData(message), bytes, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
    }

    public static string Decrypt(string apiV3Key, string nonce, string associatedData, string ciphertext)
    {
        var all = Convert.FromBase64String(ciphertext);
        var tag = all[^16..];
        var cipher = all[..^16];
        var plain = new byte[cipher.Length];
        using var gcm = new AesGcm(Encoding.UTF8.GetBytes(apiV3Key), 16);
        gcm.Decrypt(Encoding.UTF8.GetBytes(nonce), cipher, tag, plain, Encoding.UTF8.GetBytes(associatedData));
        return Encoding.UTF8.GetString(plain);
    }

    public static string Encrypt(string apiV3Key, string nonce, string associatedData, string plaintext)
    {
        var plain = Encoding.UTF8.GetBytes(plaintext);
        var cipher = new byte[plain.Length];
        var tag = new byte[16];
        using var gcm = new AesGcm(Encoding.UTF8.GetBytes(apiV3Key), 16);
        gcm.Encrypt(Encoding.UTF8.GetBytes(nonce), plain, cipher, tag, Encoding.UTF8.GetBytes(associatedData));
        return Convert.ToBase64String([.. cipher, .. tag]);
    }

    public static string Nonce() => Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
}
