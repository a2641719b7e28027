using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;

namespace WeChatPay;

/// <summary>AEAD_AES_256_GCM as WeChat Pay uses it for notification resources and platform certificates.</summary>
public static class WeChatPayAead
{
    public const string Algorithm = "AEAD_AES_256_GCM";

    private const int KeySize = 32;
    private const int TagSize = 16;
    private const int NonceSize = 12;

    /// <summary>The APIv3 key is the AES-256 key itself, so it must be exactly 32 printable ASCII characters.</summary>
    public static bool IsApiV3Key([NotNullWhen(true)] string? key) =>
        key is { Length: KeySize } && key.All(static c => c is > ' ' and <= '~');

    /// <summary>Decrypts base64(cipher ‖ 16-byte tag) with <paramref name="nonce"/> and <paramref name="associatedData"/> as UTF-8; false when anything is malformed or forged.</summary>
    public static bool TryDecrypt(string apiV3Key, string? nonce, string? associatedData, string? ciphertext, [NotNullWhen(true)] out byte[]? plaintext)
    {
        plaintext = null;
        if (!IsApiV3Key(apiV3Key) || nonce is null || ciphertext is null || Encoding.UTF8.GetByteCount(nonce) != NonceSize)
        {
            return false;
        }

        var sealedBytes = new byte[ciphertext.Length];
        if (!Convert.TryFromBase64String(ciphertext, sealedBytes, out var length) || length < TagSize)
        {
            return false;
        }

        var cipher = sealedBytes.AsSpan(0, length - TagSize);
        var output = new byte[cipher.Length];
        try
        {
            using var aes = new AesGcm(Encoding.ASCII.GetBytes(apiV3Key), TagSize);
            aes.Decrypt(Encoding.UTF8.GetBytes(nonce), cipher, sealedBytes.AsSpan(length - TagSize, TagSize), output, Encoding.UTF8.GetBytes(associatedData ?? ""));
        }
        catch (CryptographicException)
        {
            return false;
        }

        plaintext = output;
        return true;
    }
}
