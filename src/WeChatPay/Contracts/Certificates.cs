using System.Security.Cryptography.X509Certificates;

namespace WeChatPay;

/// <summary>A platform certificate from <c>GET /v3/certificates</c>, decrypted with the APIv3 key.</summary>
public sealed record WeChatPayPlatformCertificate(string SerialNo, X509Certificate2 Certificate)
{
    public DateTimeOffset NotAfter => new(Certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero);
}

internal sealed record CertificateList(IReadOnlyList<CertificateEntry> Data);

internal sealed record CertificateEntry(EncryptedResource EncryptCertificate);

/// <summary>An AEAD_AES_256_GCM envelope: a notification's <c>resource</c> or a certificate's <c>encrypt_certificate</c>.</summary>
internal sealed record EncryptedResource(string Algorithm, string Ciphertext, string Nonce, string? AssociatedData, string? OriginalType = null);
