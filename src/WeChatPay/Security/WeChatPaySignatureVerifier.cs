using System.Globalization;
using System.Security.Cryptography;

namespace WeChatPay;

/// <summary>What checking a WeChat Pay signature found; only <see cref="Valid"/> means WeChat Pay sent this body.</summary>
public enum WeChatPayVerification
{
    Valid,
    MissingHeaders,

    /// <summary>A deliberate <c>WECHATPAY/SIGNTEST/</c> probe: WeChat expects it refused.</summary>
    Probe,
    StaleTimestamp,
    UnknownSerial,
    BadSignature,
}

/// <summary>
/// Checks that WeChat Pay signed an answer or a notification (§2) — all four headers, a timestamp within 5 minutes, and
/// SHA256withRSA over <c>TIMESTAMP\nNONCE\nBODY\n</c> of the raw body by the key the serial names — answering a verdict, never an exception.
/// </summary>
public sealed class WeChatPaySignatureVerifier(IWeChatPayKeys keys, TimeProvider time)
{
    public const string ProbePrefix = "WECHATPAY/SIGNTEST/";
    public const string PublicKeyIdPrefix = "PUB_KEY_ID_";

    public static readonly TimeSpan Window = TimeSpan.FromMinutes(5);

    public async ValueTask<WeChatPayVerification> VerifyAsync(WeChatPaySignatureHeaders headers, ReadOnlyMemory<byte> body, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(headers);

        if (Precheck(headers, time.GetUtcNow()) is { } refused)
        {
            return refused;
        }

        var key = await keys.FindAsync(headers.Serial!, cancellationToken).ConfigureAwait(false);
        return Check(key, headers, body.Span);
    }

    /// <summary>SHA256withRSA over <c>TIMESTAMP\nNONCE\nBODY\n</c>; false, never an exception, for a probe or any malformed signature.</summary>
    public static bool IsValid(RSA publicKey, string timestamp, string nonce, ReadOnlySpan<byte> body, string signature)
    {
        ArgumentNullException.ThrowIfNull(publicKey);

        if (signature.StartsWith(ProbePrefix, StringComparison.Ordinal))
        {
            return false;
        }

        var decoded = new byte[signature.Length];
        if (!Convert.TryFromBase64String(signature, decoded, out var length))
        {
            return false;
        }

        try
        {
            return publicKey.VerifyData(
                SignedMessages.ResponseMessage(timestamp, nonce, body), decoded.AsSpan(0, length), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    /// <summary>What can be refused before any key is looked up: missing headers, a probe, a timestamp outside the window.</summary>
    internal static WeChatPayVerification? Precheck(WeChatPaySignatureHeaders headers, DateTimeOffset now)
    {
        if (!headers.IsComplete)
        {
            return WeChatPayVerification.MissingHeaders;
        }

        if (headers.Signature.StartsWith(ProbePrefix, StringComparison.Ordinal))
        {
            return WeChatPayVerification.Probe;
        }

        if (!long.TryParse(headers.Timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            || Math.Abs(now.ToUnixTimeSeconds() - seconds) > (long)Window.TotalSeconds)
        {
            return WeChatPayVerification.StaleTimestamp;
        }

        return null;
    }

    internal static WeChatPayVerification Check(RSA? key, WeChatPaySignatureHeaders headers, ReadOnlySpan<byte> body) =>
        key is null ? WeChatPayVerification.UnknownSerial
        : IsValid(key, headers.Timestamp!, headers.Nonce!, body, headers.Signature!) ? WeChatPayVerification.Valid
        : WeChatPayVerification.BadSignature;
}
