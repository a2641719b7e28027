using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace WeChatPay.Simulator.Merchant;

/// <summary>The one direct merchant the simulator serves: who may call, with which key, and the APIv3 key it encrypts with.</summary>
internal sealed record MerchantAccount(string MchId, string AppId, string ApiV3Key, string CertificateSerial, string? PublicKeyPem)
{
    public RSA? PublicKey { get; private init; }

    public static MerchantAccount FromOptions(WeChatPaySimOptions options)
    {
        var pem = options.MerchantPublicKeyPem;
        if (string.IsNullOrWhiteSpace(pem) && !string.IsNullOrWhiteSpace(options.MerchantPublicKeyPath))
        {
            pem = File.ReadAllText(options.MerchantPublicKeyPath);
        }

        return Create(options.MchId, options.AppId, options.ApiV3Key, options.MerchantCertificateSerial, pem);
    }

    /// <summary>Builds an account or throws <see cref="ArgumentException"/> naming the bad setting (never its value).</summary>
    public static MerchantAccount Create(string mchId, string appId, string apiV3Key, string certificateSerial, string? publicKeyPem)
    {
        if (string.IsNullOrWhiteSpace(mchId) || string.IsNullOrWhiteSpace(appId) || string.IsNullOrWhiteSpace(certificateSerial))
        {
            throw new ArgumentException("mchid, appid and the merchant certificate serial are required");
        }

        if (apiV3Key is null || apiV3Key.Length != 32 || !apiV3Key.All(char.IsAscii))
        {
            throw new ArgumentException("the APIv3 key must be 32 ASCII characters");
        }

        return new MerchantAccount(mchId, appId, apiV3Key, certificateSerial, publicKeyPem)
        {
            PublicKey = string.IsNullOrWhiteSpace(publicKeyPem) ? null : ImportPublicKey(publicKeyPem),
        };
    }

    private static RSA ImportPublicKey(string pem)
    {
        try
        {
            if (pem.Contains("CERTIFICATE", StringComparison.Ordinal))
            {
                using var certificate = X509Certificate2.CreateFromPem(pem);
                return certificate.GetRSAPublicKey() ?? throw new ArgumentException("the merchant certificate holds no RSA key");
            }

            var key = RSA.Create();
            key.ImportFromPem(pem);
            return key;
        }
        catch (CryptographicException)
        {
            throw new ArgumentException("the merchant public key is not a PEM RSA public key or certificate");
        }
    }
}
