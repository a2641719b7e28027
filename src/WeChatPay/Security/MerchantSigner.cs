using System.Security.Cryptography;
using Microsoft.Extensions.Options;

namespace WeChatPay;

/// <summary>Signs with the merchant API private key (SHA256withRSA, PKCS#1 v1.5), read once from <c>PrivateKeyPath</c>.</summary>
internal sealed class MerchantSigner(IOptions<WeChatPayOptions> options) : IDisposable
{
    // Read when the client is built, so the first payment's attempt timeout is not spent on disk and parsing.
    private readonly RSA _key = PemKeys.LoadPrivateKey(options.Value.PrivateKeyPath);

    public string Sign(ReadOnlySpan<byte> message) =>
        Convert.ToBase64String(_key.SignData(message, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));

    public void Dispose() => _key.Dispose();
}

/// <summary>The 32 alphanumerics that make each signature unique; a seam so tests can pin them.</summary>
internal interface INonceSource
{
    string Next();
}

internal sealed class RandomNonceSource : INonceSource
{
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    public string Next() => RandomNumberGenerator.GetString(Alphabet, 32);
}
