namespace WeChatPay.Simulator.Crypto;

/// <summary>Which key signs answers and notifications, named by <c>Wechatpay-Serial</c>.</summary>
public enum SigningMode
{
    PublicKey,
    Certificate,

    // The switch from certificates to the public key: WeChat signs either way for days.
    Both,
}
