namespace WeChatPay;

/// <summary>WeChat Pay API v3 as Merchant uses it (§4), one method per operation; every failure is a <see cref="WeChatPayException"/>.</summary>
public interface IWeChatPayClient
{
    /// <summary>The <c>code_url</c> to show as a QR code; the same out_trade_no and parameters before time_expire give the same one.</summary>
    Task<NativePrepayResult> CreateNativePrepayAsync(NativePrepayRequest request, CancellationToken cancellationToken = default);

    Task<JsapiPrepayResult> CreateJsapiPrepayAsync(JsapiPrepayRequest request, CancellationToken cancellationToken = default);

    /// <summary>Signs the parameters the payer's WeChat needs to pay <paramref name="prepayId"/>; nothing is sent.</summary>
    JsapiPayParameters CreateJsapiPayParameters(string prepayId);

    Task<WeChatPayTransaction> QueryByOutTradeNoAsync(string outTradeNo, CancellationToken cancellationToken = default);

    /// <summary>Closes an unpaid order; <see cref="WeChatPayErrorCategory.OrderClosed"/> means it already was, <see cref="WeChatPayErrorCategory.OrderPaid"/> that it was paid.</summary>
    Task CloseAsync(string outTradeNo, CancellationToken cancellationToken = default);

    Task<WeChatPayRefund> RefundAsync(RefundRequest request, CancellationToken cancellationToken = default);

    Task<WeChatPayRefund> QueryRefundAsync(string outRefundNo, CancellationToken cancellationToken = default);

    /// <summary>The platform certificates, decrypted and checked; certificate mode downloads them by itself, so this is for diagnostics.</summary>
    Task<IReadOnlyList<WeChatPayPlatformCertificate>> DownloadCertificatesAsync(CancellationToken cancellationToken = default);
}
