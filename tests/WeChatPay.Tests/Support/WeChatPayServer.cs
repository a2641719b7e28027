using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;

namespace WeChatPay.Tests.Support;

/// <summary>Answers as WeChat Pay would: signed 2xx bodies, unsigned error bodies, encrypted resources and certificate lists.</summary>
internal static class WeChatPayServer
{
    public static RSA WeChatPayKey { get; } = Load(SharedPayments.WeChatPayPrivateKeyPath);

    public static RSA MerchantPublicKey { get; } = Load(SharedPayments.MerchantPublicKeyPath);

    public static HttpResponseMessage Signed(TimeProvider clock, string body, HttpStatusCode status = HttpStatusCode.OK, string serial = TestSdk.PublicKeyId, RSA? key = null)
    {
        var timestamp = clock.GetUtcNow().ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var nonce = RandomNumberGenerator.GetHexString(32);
        return WithHeaders(status, body, timestamp, nonce, Sign(key ?? WeChatPayKey, $"{timestamp}\n{nonce}\n{body}\n"), serial);
    }

    public static HttpResponseMessage WithHeaders(HttpStatusCode status, string body, string? timestamp, string? nonce, string? signature, string? serial)
    {
        var response = new HttpResponseMessage(status) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        Add(response, WeChatPaySignatureHeaders.TimestampHeader, timestamp);
        Add(response, WeChatPaySignatureHeaders.NonceHeader, nonce);
        Add(response, WeChatPaySignatureHeaders.SignatureHeader, signature);
        Add(response, WeChatPaySignatureHeaders.SerialHeader, serial);
        return response;
    }

    public static HttpResponseMessage Unsigned(HttpStatusCode status, string body) =>
        new(status) { Content = new StringContent(body, Encoding.UTF8, "application/json") };

    public static HttpResponseMessage Error(HttpStatusCode status, string code, string message, string? detailJson = null) =>
        Unsigned(status, detailJson is null
            ? JsonSerializer.Serialize(new { code, message })
            : $$"""{"code":"{{code}}","message":"{{message}}","detail":{{detailJson}}}""");

    public static string Sign(RSA key, string message) =>
        Convert.ToBase64String(key.SignData(Encoding.UTF8.GetBytes(message), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));

    /// <summary>AEAD_AES_256_GCM as WeChat Pay seals a resource: base64(cipher ‖ 16-byte tag).</summary>
    public static string Encrypt(string apiV3Key, string nonce, string associatedData, string plaintext)
    {
        var input = Encoding.UTF8.GetBytes(plaintext);
        var sealedBytes = new byte[input.Length + 16];
        using var aes = new AesGcm(Encoding.ASCII.GetBytes(apiV3Key), 16);
        aes.Encrypt(Encoding.UTF8.GetBytes(nonce), input, sealedBytes.AsSpan(0, input.Length), sealedBytes.AsSpan(input.Length), Encoding.UTF8.GetBytes(associatedData));
        return Convert.ToBase64String(sealedBytes);
    }

    /// <summary>A notification body with <paramref name="plaintext"/> sealed as its resource.</summary>
    public static string Notification(string eventType, string originalType, string plaintext, string apiV3Key = TestSdk.ApiV3Key) =>
        JsonSerializer.Serialize(new
        {
            id = "EV-" + Guid.NewGuid().ToString("N"),
            create_time = "2026-11-22T09:49:03+08:00",
            resource_type = "encrypt-resource",
            event_type = eventType,
            summary = "test",
            resource = new
            {
                original_type = originalType,
                algorithm = "AEAD_AES_256_GCM",
                ciphertext = Encrypt(apiV3Key, "0123456789ab", originalType, plaintext),
                associated_data = originalType,
                nonce = "0123456789ab",
            },
        });

    /// <summary>The <c>/v3/certificates</c> body for <paramref name="certificates"/>, each PEM sealed with <paramref name="apiV3Key"/>.</summary>
    public static string CertificateList(string apiV3Key, params TestCertificate[] certificates) =>
        JsonSerializer.Serialize(new
        {
            data = certificates.Select(certificate => new
            {
                serial_no = certificate.Serial,
                effective_time = certificate.Certificate.NotBefore.ToString("O"),
                expire_time = certificate.Certificate.NotAfter.ToString("O"),
                encrypt_certificate = new
                {
                    algorithm = "AEAD_AES_256_GCM",
                    associated_data = "certificate",
                    nonce = "61f9c719728a",
                    ciphertext = Encrypt(apiV3Key, "61f9c719728a", "certificate", certificate.Certificate.ExportCertificatePem()),
                },
            }),
        });

    private static void Add(HttpResponseMessage response, string name, string? value)
    {
        if (value is not null)
        {
            response.Headers.TryAddWithoutValidation(name, value);
        }
    }

    private static RSA Load(string path)
    {
        var rsa = RSA.Create();
        rsa.ImportFromPem(File.ReadAllText(path));
        return rsa;
    }
}

/// <summary>A platform certificate made in the test: a fresh RSA key and a self-signed certificate with the serial asked for.</summary>
internal sealed class TestCertificate
{
    private TestCertificate(RSA key, X509Certificate2 certificate, string serial)
    {
        Key = key;
        Certificate = certificate;
        Serial = serial;
    }

    public RSA Key { get; }

    public X509Certificate2 Certificate { get; }

    /// <summary>As WeChat Pay writes it in <c>Wechatpay-Serial</c>: upper-case hex; DER adds a sign byte to a serial with its high bit set.</summary>
    public string Serial { get; }

    public static TestCertificate Create(string serialHex, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=Tenpay.com Root CA, O=Tenpay.com, C=CN", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var generator = X509SignatureGenerator.CreateForRSA(key, RSASignaturePadding.Pkcs1);
        var certificate = request.Create(request.SubjectName, generator, notBefore, notAfter, Convert.FromHexString(serialHex));
        return new TestCertificate(key, certificate, serialHex.ToUpperInvariant());
    }

    public HttpResponseMessage Sign(TimeProvider clock, string body, HttpStatusCode status = HttpStatusCode.OK) =>
        WeChatPayServer.Signed(clock, body, status, Serial, Key);
}
