using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace WeChatPay;

/// <summary>
/// <see cref="IWeChatPayClient"/> as a thin facade over the Refit surface (<see cref="IWeChatPayEndpoints"/>): it checks
/// arguments and fills in the merchant's ids and notify URL. Signing, verification, errors, timeouts and retries live in
/// the client's handlers.
/// </summary>
public sealed partial class WeChatPayClient : IWeChatPayClient
{
    private const string Currency = "CNY";
    private const int MaxDescriptionLength = 127;

    private readonly IWeChatPayEndpoints _endpoints;
    private readonly PlatformCertificateDownloader _certificates;
    private readonly MerchantSigner _signer;
    private readonly INonceSource _nonces;
    private readonly TimeProvider _time;
    private readonly WeChatPayOptions _options;

    internal WeChatPayClient(
        IWeChatPayEndpoints endpoints,
        PlatformCertificateDownloader certificates,
        MerchantSigner signer,
        INonceSource nonces,
        TimeProvider time,
        IOptions<WeChatPayOptions> options)
    {
        _endpoints = endpoints;
        _certificates = certificates;
        _signer = signer;
        _nonces = nonces;
        _time = time;
        _options = options.Value;
    }

    public Task<NativePrepayResult> CreateNativePrepayAsync(NativePrepayRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);

        var body = Prepay(request.OutTradeNo, request.Description, request.Total, request.TimeExpire, payer: null, request.NotifyUrl);
        return _endpoints.CreateNative(body, new WeChatPayCall("transactions.native", request.OutTradeNo), cancellationToken);
    }

    public Task<JsapiPrepayResult> CreateJsapiPrepayAsync(JsapiPrepayRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentException.ThrowIfNullOrWhiteSpace(request.OpenId, nameof(request));

        var body = Prepay(request.OutTradeNo, request.Description, request.Total, request.TimeExpire, new PrepayPayer(request.OpenId), request.NotifyUrl);
        return _endpoints.CreateJsapi(body, new WeChatPayCall("transactions.jsapi", request.OutTradeNo), cancellationToken);
    }

    public JsapiPayParameters CreateJsapiPayParameters(string prepayId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(prepayId);

        var timeStamp = _time.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var nonce = _nonces.Next();
        var package = "prepay_id=" + prepayId;
        var paySign = _signer.Sign(SignedMessages.JsapiMessage(_options.AppId, timeStamp, nonce, package));
        return new JsapiPayParameters(_options.AppId, timeStamp, nonce, package, "RSA", paySign);
    }

    public Task<WeChatPayTransaction> QueryByOutTradeNoAsync(string outTradeNo, CancellationToken cancellationToken = default)
    {
        CheckOutTradeNo(outTradeNo, nameof(outTradeNo));

        return _endpoints.QueryByOutTradeNo(outTradeNo, _options.MchId, new WeChatPayCall("transactions.query", outTradeNo), cancellationToken);
    }

    public Task CloseAsync(string outTradeNo, CancellationToken cancellationToken = default)
    {
        CheckOutTradeNo(outTradeNo, nameof(outTradeNo));

        return _endpoints.Close(outTradeNo, new CloseBody(_options.MchId), new WeChatPayCall("transactions.close", outTradeNo), cancellationToken);
    }

    public Task<WeChatPayRefund> RefundAsync(RefundRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        CheckOutTradeNo(request.OutTradeNo, nameof(request));
        CheckOutRefundNo(request.OutRefundNo, nameof(request));
        if (request.Refund <= 0 || request.Total <= 0 || request.Refund > request.Total)
        {
            throw new ArgumentException("A refund is more than 0 fen and at most the payment's total.", nameof(request));
        }

        var body = new RefundBody(request.OutTradeNo, request.OutRefundNo, request.Reason, NotifyUrl(request.NotifyUrl),
            new RefundBodyAmount(request.Refund, request.Total, Currency));
        return _endpoints.Refund(body, new WeChatPayCall("refunds.create", request.OutTradeNo, request.OutRefundNo), cancellationToken);
    }

    public Task<WeChatPayRefund> QueryRefundAsync(string outRefundNo, CancellationToken cancellationToken = default)
    {
        CheckOutRefundNo(outRefundNo, nameof(outRefundNo));

        return _endpoints.QueryRefund(outRefundNo, new WeChatPayCall("refunds.query", outRefundNo: outRefundNo), cancellationToken);
    }

    public Task<IReadOnlyList<WeChatPayPlatformCertificate>> DownloadCertificatesAsync(CancellationToken cancellationToken = default) =>
        _certificates.DownloadAsync(cancellationToken);

    private string NotifyUrl(string? given) =>
        !string.IsNullOrEmpty(given) ? given
        : !string.IsNullOrEmpty(_options.NotifyUrl) ? _options.NotifyUrl
        : throw new InvalidOperationException("No notify URL: set Payments:WeChatPay:NotifyUrl or pass one with the request.");

    private PrepayBody Prepay(string outTradeNo, string description, long total, DateTimeOffset timeExpire, PrepayPayer? payer, string? notifyUrl)
    {
        CheckOutTradeNo(outTradeNo, "request");
        if (string.IsNullOrWhiteSpace(description) || description.Length > MaxDescriptionLength)
        {
            throw new ArgumentException($"A description is 1 to {MaxDescriptionLength} characters.", "request");
        }

        if (total <= 0)
        {
            throw new ArgumentException("A payment's total is more than 0 fen.", "request");
        }

        return new PrepayBody(_options.AppId, _options.MchId, description, outTradeNo, timeExpire, NotifyUrl(notifyUrl), new PrepayAmount(total, Currency), payer);
    }

    private static void CheckOutTradeNo(string? outTradeNo, string parameter)
    {
        if (outTradeNo is null || !OutTradeNo().IsMatch(outTradeNo))
        {
            throw new ArgumentException("An out_trade_no is 6 to 32 of [0-9A-Za-z_-|*].", parameter);
        }
    }

    private static void CheckOutRefundNo(string? outRefundNo, string parameter)
    {
        if (outRefundNo is null || !OutRefundNo().IsMatch(outRefundNo))
        {
            throw new ArgumentException("An out_refund_no is 1 to 64 of [0-9A-Za-z_-|*@].", parameter);
        }
    }

    [GeneratedRegex(@"^[0-9A-Za-z_\-|*]{6,32}\z")]
    private static partial Regex OutTradeNo();

    [GeneratedRegex(@"^[0-9A-Za-z_\-|*@]{1,64}\z")]
    private static partial Regex OutRefundNo();
}
