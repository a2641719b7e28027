using System.Security.Cryptography;
using Microsoft.Extensions.Options;

namespace WeChatPay;

/// <summary>WeChat Pay's verification keys by the serial a signature names: the public key (<c>PUB_KEY_ID_…</c>) and the platform certificates.</summary>
public interface IWeChatPayKeys
{
    /// <summary>The key for <paramref name="serial"/>, or null; an unknown certificate serial refreshes the certificates first, once.</summary>
    ValueTask<RSA?> FindAsync(string serial, CancellationToken cancellationToken = default);
}

/// <summary>Both modes side by side (§2): the configured public key, and the platform certificates when certificate mode is on.</summary>
internal sealed class WeChatPayKeyStore(WeChatPayPublicKey publicKey, PlatformCertificates certificates, IOptions<WeChatPayOptions> options) : IWeChatPayKeys
{
    public ValueTask<RSA?> FindAsync(string serial, CancellationToken cancellationToken = default)
    {
        if (publicKey.Find(serial) is { } key)
        {
            return ValueTask.FromResult<RSA?>(key);
        }

        // A PUB_KEY_ID never comes from /v3/certificates: asking for one must not trigger a download.
        return options.Value.UsesCertificates && !serial.StartsWith(WeChatPaySignatureVerifier.PublicKeyIdPrefix, StringComparison.Ordinal)
            ? certificates.FindAsync(serial, cancellationToken)
            : ValueTask.FromResult<RSA?>(null);
    }
}

/// <summary>The WeChat Pay public key of public key mode, read once from <c>PublicKeyPath</c>.</summary>
internal sealed class WeChatPayPublicKey(IOptions<WeChatPayOptions> options) : IDisposable
{
    private readonly string _id = options.Value.PublicKeyId;
    private readonly RSA? _key = options.Value.HasPublicKey ? PemKeys.LoadPublicKey(options.Value.PublicKeyPath) : null;

    public RSA? Find(string serial) => _key is not null && string.Equals(serial, _id, StringComparison.Ordinal) ? _key : null;

    public void Dispose() => _key?.Dispose();
}
