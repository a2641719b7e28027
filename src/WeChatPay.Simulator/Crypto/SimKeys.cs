using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace WeChatPay.Simulator.Crypto;

internal sealed class PlatformCertificate
{
    public required string Serial { get; init; }

    public required RSA Key { get; init; }

    public required string Pem { get; init; }

    public required DateTimeOffset EffectiveTime { get; init; }

    public required DateTimeOffset ExpireTime { get; init; }

    public bool SharesPublicKey { get; init; }
}

/// <summary>The simulator's own keys: the WeChat Pay public key (<c>PUB_KEY_ID_…</c>) and the platform certificates.</summary>
internal sealed class SimKeys
{
    private readonly Lock _gate = new();
    private readonly List<PlatformCertificate> _certificates = [];
    private PlatformCertificate _signing;
    private long _signatures;

    public SimKeys(RSA key, string publicKeyId, TimeSpan validity)
    {
        PublicKey = key;
        PublicKeyId = publicKeyId;
        PublicKeyPem = key.ExportSubjectPublicKeyInfoPem();
        _signing = Issue(key, validity, sharesPublicKey: true);
        _certificates.Add(_signing);
    }

    public RSA PublicKey { get; }

    public string PublicKeyId { get; }

    public string PublicKeyPem { get; }

    public PlatformCertificate Signing
    {
        get
        {
            lock (_gate)
            {
                return _signing;
            }
        }
    }

    public IReadOnlyList<PlatformCertificate> Certificates
    {
        get
        {
            lock (_gate)
            {
                return _certificates.ToList();
            }
        }
    }

    public static string NewPublicKeyId(string mchId) =>
        "PUB_KEY_ID_01" + mchId + DateTime.UtcNow.ToString("yyyyMMdd", CultureInfo.InvariantCulture)
        + RandomNumberGenerator.GetInt32(0, 100_000_000).ToString("D14", CultureInfo.InvariantCulture);

    /// <summary>Issues a certificate over a new key (or the public key) and signs with it from now on.</summary>
    public PlatformCertificate Rotate(bool samePublicKey, TimeSpan validity)
    {
        var certificate = Issue(samePublicKey ? PublicKey : RSA.Create(2048), validity, samePublicKey);
        lock (_gate)
        {
            _certificates.Add(certificate);
            _signing = certificate;
        }

        return certificate;
    }

    /// <summary>Removes a certificate from <c>/v3/certificates</c>; the signing one cannot go.</summary>
    public bool? Retire(string serial)
    {
        lock (_gate)
        {
            var certificate = _certificates.Find(c => c.Serial.Equals(serial, StringComparison.OrdinalIgnoreCase));
            if (certificate is null)
            {
                return null;
            }

            if (ReferenceEquals(certificate, _signing))
            {
                return false;
            }

            _certificates.Remove(certificate);
            return true;
        }
    }

    public void Reset()
    {
        lock (_gate)
        {
            _certificates.RemoveRange(1, _certificates.Count - 1);
            _signing = _certificates[0];
        }
    }

    public (string Serial, RSA Key) SignerFor(SigningMode mode)
    {
        var useCertificate = mode switch
        {
            SigningMode.Certificate => true,
            SigningMode.Both => Interlocked.Increment(ref _signatures) % 2 == 0,
            _ => false,
        };
        if (!useCertificate)
        {
            return (PublicKeyId, PublicKey);
        }

        var signing = Signing;
        return (signing.Serial, signing.Key);
    }

    private static PlatformCertificate Issue(RSA key, TimeSpan validity, bool sharesPublicKey)
    {
        var serial = RandomNumberGenerator.GetBytes(20);
        serial[0] = (byte)((serial[0] & 0x7F) | 0x10);
        var name = new X500DistinguishedName("CN=WeChat Pay Simulator, OU=Local runs and tests, O=Merchant, C=CN");
        var request = new CertificateRequest(name, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        var now = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        using var certificate = request.Create(
            name, X509SignatureGenerator.CreateForRSA(key, RSASignaturePadding.Pkcs1), now, now + validity, serial);
        return new PlatformCertificate
        {
            Serial = certificate.SerialNumber,
            Key = key,
            Pem = certificate.ExportCertificatePem(),
            EffectiveTime = now,
            ExpireTime = now + validity,
            SharesPublicKey = sharesPublicKey,
        };
    }
}
