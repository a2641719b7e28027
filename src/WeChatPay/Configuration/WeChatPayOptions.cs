using System.Globalization;

namespace WeChatPay;

/// <summary>The <c>Payments:WeChatPay:*</c> settings: who the merchant is, which keys sign and verify, and how calls time out and retry.</summary>
public sealed class WeChatPayOptions
{
    public const string SectionName = "Payments:WeChatPay";

    /// <summary>False in an application that takes no WeChat payments: nothing is checked at start, and every call fails.</summary>
    public bool Enabled { get; set; } = true;

    public string BaseUrl { get; set; } = "https://api.mch.weixin.qq.com";

    public string MchId { get; set; } = "";

    public string AppId { get; set; } = "";

    /// <summary>32 ASCII characters; decrypts notification resources and platform certificates.</summary>
    public string ApiV3Key { get; set; } = "";

    /// <summary>The merchant API private key as a PKCS#8 PEM file; it signs every request.</summary>
    public string PrivateKeyPath { get; set; } = "";

    /// <summary>The merchant API certificate's serial number (hex), sent as <c>serial_no</c>.</summary>
    public string CertificateSerial { get; set; } = "";

    /// <summary>WeChat Pay public key mode: the key's id, <c>PUB_KEY_ID_…</c>. Empty means platform certificate mode.</summary>
    public string PublicKeyId { get; set; } = "";

    public string PublicKeyPath { get; set; } = "";

    /// <summary>Also trust downloaded platform certificates while a public key is configured, for the days of a switch between the two.</summary>
    public bool UsePlatformCertificates { get; set; }

    /// <summary>Where WeChat Pay posts notifications; a request may name its own instead.</summary>
    public string NotifyUrl { get; set; } = "";

    /// <summary>Per attempt, the whole answer included.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Retries after the first try: 2 means at most 3 attempts. 0 disables retries.</summary>
    public int RetryAttempts { get; set; } = 2;

    /// <summary>First backoff delay; it grows exponentially, with jitter.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>For a call with all its retries; empty means every attempt's timeout plus 2 s of backoff.</summary>
    public TimeSpan? TotalTimeout { get; set; }

    /// <summary>The circuit opens when at least this share of calls failed transiently ...</summary>
    public double CircuitFailureRatio { get; set; } = 0.5;

    /// <summary>... out of at least this many calls in 30 s (or twice the attempt timeout, if longer) ...</summary>
    public int CircuitMinimumThroughput { get; set; } = 20;

    /// <summary>... and stays open this long, failing calls at once without sending them.</summary>
    public TimeSpan CircuitBreakDuration { get; set; } = TimeSpan.FromSeconds(5);

    internal bool HasPublicKey => PublicKeyId.Length > 0;

    internal bool UsesCertificates => !HasPublicKey || UsePlatformCertificates;

    internal TimeSpan EffectiveTotalTimeout => TotalTimeout ?? (Timeout * (RetryAttempts + 1)) + TimeSpan.FromSeconds(2);

    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"WeChatPayOptions {{ BaseUrl = {BaseUrl}, MchId = {MchId}, AppId = {AppId}, ApiV3Key = {Redacted(ApiV3Key)}, PrivateKeyPath = {PrivateKeyPath}, CertificateSerial = {CertificateSerial}, PublicKeyId = {PublicKeyId}, PublicKeyPath = {PublicKeyPath}, UsePlatformCertificates = {UsePlatformCertificates}, NotifyUrl = {NotifyUrl}, Timeout = {Timeout}, RetryAttempts = {RetryAttempts}, TotalTimeout = {EffectiveTotalTimeout} }}");

    private static string Redacted(string secret) => secret.Length == 0 ? "(empty)" : "***";
}
