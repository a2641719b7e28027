using Refit;

namespace WeChatPay;

/// <summary>
/// WeChat Pay API v3's endpoints that Merchant uses (§4), as Refit declares them. The handlers sign each attempt, verify
/// each 2xx and turn every failure into a <see cref="WeChatPayException"/>. All are safe to repeat (§5): prepay and close
/// with the same parameters, a refund with the same out_refund_no, and reads.
/// </summary>
internal interface IWeChatPayEndpoints
{
    private const string Call = WeChatPayCall.OptionsKey;

    [Post("/v3/pay/transactions/native"), SafeToRepeat]
    Task<NativePrepayResult> CreateNative([Body] PrepayBody body, [Property(Call)] WeChatPayCall call, CancellationToken cancellationToken);

    [Post("/v3/pay/transactions/jsapi"), SafeToRepeat]
    Task<JsapiPrepayResult> CreateJsapi([Body] PrepayBody body, [Property(Call)] WeChatPayCall call, CancellationToken cancellationToken);

    [Get("/v3/pay/transactions/out-trade-no/{outTradeNo}"), SafeToRepeat]
    Task<WeChatPayTransaction> QueryByOutTradeNo(
        string outTradeNo, [Query, AliasAs("mchid")] string mchId, [Property(Call)] WeChatPayCall call, CancellationToken cancellationToken);

    [Post("/v3/pay/transactions/out-trade-no/{outTradeNo}/close"), SafeToRepeat]
    Task Close(string outTradeNo, [Body] CloseBody body, [Property(Call)] WeChatPayCall call, CancellationToken cancellationToken);

    [Post("/v3/refund/domestic/refunds"), SafeToRepeat]
    Task<WeChatPayRefund> Refund([Body] RefundBody body, [Property(Call)] WeChatPayCall call, CancellationToken cancellationToken);

    [Get("/v3/refund/domestic/refunds/{outRefundNo}"), SafeToRepeat]
    Task<WeChatPayRefund> QueryRefund(string outRefundNo, [Property(Call)] WeChatPayCall call, CancellationToken cancellationToken);

    // The raw answer: its signature is checked against the certificates it carries, over its exact bytes.
    [Get("/v3/certificates"), SafeToRepeat]
    Task<HttpResponseMessage> GetCertificates([Property(Call)] WeChatPayCall call, CancellationToken cancellationToken);
}
