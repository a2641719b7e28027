using System.Security.Cryptography;

namespace WeChatPay;

/// <summary>Reads the RSA keys the options name: the merchant's PKCS#8 private key and WeChat Pay's SubjectPublicKeyInfo public key.</summary>
internal static class PemKeys
{
    private const string PrivateKeyLabel = "PRIVATE KEY";
    private const string PublicKeyLabel = "PUBLIC KEY";

    public static RSA LoadPrivateKey(string path) =>
        Load(path, PrivateKeyLabel, static (rsa, der) => rsa.ImportPkcs8PrivateKey(der, out _))
        ?? throw new InvalidOperationException($"{WeChatPayOptions.SectionName}:PrivateKeyPath does not name a PKCS#8 RSA private key.");

    public static RSA LoadPublicKey(string path) =>
        Load(path, PublicKeyLabel, static (rsa, der) => rsa.ImportSubjectPublicKeyInfo(der, out _))
        ?? throw new InvalidOperationException($"{WeChatPayOptions.SectionName}:PublicKeyPath does not name an RSA public key.");

    public static bool IsPrivateKey(string path)
    {
        using var key = Load(path, PrivateKeyLabel, static (rsa, der) => rsa.ImportPkcs8PrivateKey(der, out _));
        return key is not null;
    }

    public static bool IsPublicKey(string path)
    {
        using var key = Load(path, PublicKeyLabel, static (rsa, der) => rsa.ImportSubjectPublicKeyInfo(der, out _));
        return key is not null;
    }

    // Null for anything unreadable or of another kind; the caller names the key, and no exception text can carry key bytes.
    private static RSA? Load(string path, string label, Action<RSA, byte[]> import)
    {
        string pem;
        try
        {
            pem = File.ReadAllText(path);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return null;
        }

        if (!PemEncoding.TryFind(pem, out var fields) || !pem.AsSpan()[fields.Label].SequenceEqual(label))
        {
            return null;
        }

        var rsa = RSA.Create();
        try
        {
            import(rsa, Convert.FromBase64String(pem[fields.Base64Data]));
            return rsa;
        }
        catch (Exception exception) when (exception is CryptographicException or FormatException)
        {
            rsa.Dispose();
            return null;
        }
    }
}
