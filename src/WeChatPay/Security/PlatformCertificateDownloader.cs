using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace WeChatPay;

/// <summary>
/// Downloads <c>GET /v3/certificates</c> and decrypts each certificate with the APIv3 key. The answer is signed by one
/// of the certificates it carries (or by the configured public key): decryption under our key is what makes them
/// trustworthy, and the signature over the raw bytes is then checked with them.
/// </summary>
internal sealed class PlatformCertificateDownloader(
    IWeChatPayEndpoints endpoints, WeChatPayPublicKey publicKey, IOptions<WeChatPayOptions> options, TimeProvider time)
{
    private const string Operation = "certificates";

    public async Task<IReadOnlyList<WeChatPayPlatformCertificate>> DownloadAsync(CancellationToken cancellationToken)
    {
        using var response = await endpoints.GetCertificates(new WeChatPayCall(Operation) { VerifiedByCaller = true }, cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        var status = (int)response.StatusCode;
        var certificates = Decrypt(Read(body, status), status);

        var headers = WeChatPaySignatureHeaders.From(response.Headers);
        var now = time.GetUtcNow();
        var verification = WeChatPaySignatureVerifier.Precheck(headers, now)
            ?? WeChatPaySignatureVerifier.Check(KeyFor(headers.Serial!, certificates), headers, body);
        if (verification != WeChatPayVerification.Valid)
        {
            throw Refused($"The certificate list's signature did not verify ({verification}).", status);
        }

        return [.. certificates.Where(certificate => certificate.NotAfter > now)];
    }

    /// <summary>The serial as WeChat Pay writes it: upper-case hex of the serial's bytes, without DER's sign-padding zeros.</summary>
    internal static string SerialOf(X509Certificate2 certificate)
    {
        var serial = certificate.SerialNumber;
        while (serial.Length > 2 && serial.StartsWith("00", StringComparison.Ordinal))
        {
            serial = serial[2..];
        }

        return serial.ToUpperInvariant();
    }

    private static CertificateList Read(byte[] body, int status)
    {
        try
        {
            return JsonSerializer.Deserialize<CertificateList>(body, WeChatPayJson.Options) ?? throw Refused("The certificate list is empty.", status);
        }
        catch (JsonException exception)
        {
            throw Refused("The certificate list is unreadable.", status, exception);
        }
    }

    private List<WeChatPayPlatformCertificate> Decrypt(CertificateList list, int status)
    {
        List<WeChatPayPlatformCertificate> certificates = [];
        foreach (var resource in list.Data.Select(entry => entry.EncryptCertificate))
        {
            if (resource.Algorithm != WeChatPayAead.Algorithm
                || !WeChatPayAead.TryDecrypt(options.Value.ApiV3Key, resource.Nonce, resource.AssociatedData, resource.Ciphertext, out var pem))
            {
                throw Refused("A platform certificate did not decrypt with the APIv3 key.", status);
            }

            try
            {
                var certificate = X509Certificate2.CreateFromPem(Encoding.UTF8.GetString(pem));
                certificates.Add(new WeChatPayPlatformCertificate(SerialOf(certificate), certificate));
            }
            catch (CryptographicException exception)
            {
                throw Refused("A platform certificate decrypted to something that is not a certificate.", status, exception);
            }
        }

        return certificates;
    }

    private RSA? KeyFor(string serial, List<WeChatPayPlatformCertificate> certificates) =>
        certificates.FirstOrDefault(certificate => string.Equals(certificate.SerialNo, serial, StringComparison.OrdinalIgnoreCase))?.Certificate.GetRSAPublicKey()
        ?? publicKey.Find(serial);

    private static WeChatPayException Refused(string message, int status, Exception? inner = null) =>
        new(Operation, WeChatPayErrorCategory.Unverified, "", message, status, innerException: inner);
}
