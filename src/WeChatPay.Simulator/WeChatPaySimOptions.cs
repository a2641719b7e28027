using WeChatPay.Simulator.Crypto;
using WeChatPay.Simulator.Refunds;

namespace WeChatPay.Simulator;

/// <summary>Simulator settings, bound from the <c>WeChatPaySim</c> configuration section.</summary>
public sealed class WeChatPaySimOptions
{
    public const string SectionName = "WeChatPaySim";

    public string MchId { get; set; } = "1230000109";

    public string AppId { get; set; } = "wxd678efh567hg6787";

    // The test vectors' key: fine for local runs, never for anything real.
    public string ApiV3Key { get; set; } = "Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z";

    /// <summary>PEM (public key or certificate) the merchant's request signatures are checked with.</summary>
    public string? MerchantPublicKeyPath { get; set; }

    public string? MerchantPublicKeyPem { get; set; }

    public string MerchantCertificateSerial { get; set; } = "5157F09EFDC096DE15EBE81A47057A7232F1B8E1";

    /// <summary>The simulator's own RSA private key (PKCS#8 or PKCS#1 PEM); generated at start when unset.</summary>
    public string? PrivateKeyPath { get; set; }

    /// <summary>The public key id (<c>PUB_KEY_ID_…</c>); generated from the mchid when unset.</summary>
    public string? PublicKeyId { get; set; }

    public SigningMode SigningMode { get; set; } = SigningMode.PublicKey;

    public TimeSpan CertificateValidity { get; set; } = TimeSpan.FromDays(5 * 365);

    public RefundOutcome RefundOutcome { get; set; } = RefundOutcome.DelayedSuccess;

    /// <summary>Sim time a PROCESSING refund takes to settle.</summary>
    public TimeSpan RefundDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The retry schedule is divided by this: 1 is WeChat's own 15 s … 6 h, 1000 makes 15 s into 15 ms.</summary>
    public double NotifyRetryFactor { get; set; } = 1;

    public int NotifyMaxAttempts { get; set; } = 16;

    public TimeSpan NotifyTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The longest a <c>hang</c> fault holds a connection before closing it.</summary>
    public TimeSpan HangTimeout { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan StaleTimestampAge { get; set; } = TimeSpan.FromMinutes(10);

    public bool RequireHttpsNotifyUrl { get; set; }

    /// <summary>Refuse requests without User-Agent, Accept: application/json, or (POST) Content-Type: application/json.</summary>
    public bool StrictHeaders { get; set; } = true;

    internal WeChatPaySimOptions Clone() => (WeChatPaySimOptions)MemberwiseClone();
}
