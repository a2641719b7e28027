using Merchant.Api.PlatformNotify;
using Microsoft.Extensions.Options;
using WeChatPay;
using Sdk = WeChatPay;

namespace Merchant.Api.Payments.WeChatPay;

/// <summary>
/// WeChat Pay API v3 behind our payment port (WECHATPAY.md §6): out_trade_no is our trade id, out_refund_no our refund key.
/// Every answer and notification is verified by the SDK; here they are checked against our merchant, app and trade
/// (a report that is not ours is never applied) and mapped onto the port's states. Its books are WeChat's own.
/// </summary>
public sealed class WeChatPayProvider(IServiceProvider services, IOptions<WeChatPayOptions> options, PublicUrls urls) : IPaymentProvider
{
    public const string ProviderName = "wechatpay";
    public const string NotifyPath = "/api/v1/payments/wechatpay/notify";

    public string Name => ProviderName;

    public bool JsapiNeedsOpenId => true;

    // Resolved on use: an instance that takes no WeChat payments has no keys to load.
    private IWeChatPayClient Client => options.Value.Enabled
        ? services.GetRequiredService<IWeChatPayClient>()
        : throw new PaymentProviderException("WeChat Pay is not configured (Payments:WeChatPay).");

    private string NotifyUrl => string.IsNullOrEmpty(options.Value.NotifyUrl) ? urls.BaseUrl + NotifyPath : options.Value.NotifyUrl;

    public async Task<OpenedPayment> OpenAsync(PaymentRequest request, CancellationToken cancellationToken)
    {
        try
        {
            if (request.Method == Checkouts.CheckoutValidation.Jsapi)
            {
                var prepay = await Client.CreateJsapiPrepayAsync(new JsapiPrepayRequest(request.TradeId, request.Description, request.AmountFen,
                    request.PayBefore, request.OpenId!, NotifyUrl), cancellationToken);
                var pay = Client.CreateJsapiPayParameters(prepay.PrepayId);
                return new OpenedPayment(request.TradeId, new PaymentAction(PaymentAction.Jsapi)
                {
                    AppId = pay.AppId,
                    TimeStamp = pay.TimeStamp,
                    NonceStr = pay.NonceStr,
                    Package = pay.Package,
                    SignType = pay.SignType,
                    PaySign = pay.PaySign,
                });
            }

            var native = await Client.CreateNativePrepayAsync(
                new NativePrepayRequest(request.TradeId, request.Description, request.AmountFen, request.PayBefore, NotifyUrl), cancellationToken);
            return new OpenedPayment(request.TradeId, new PaymentAction(PaymentAction.Qr) { CodeUrl = native.CodeUrl });
        }
        catch (WeChatPayException e)
        {
            throw new PaymentUnavailableException($"{e.Category} ({e.Code})", e.OutcomeUnknown, request.TradeId, e);
        }
        catch (PaymentProviderException e)
        {
            throw new PaymentUnavailableException(e.Message, outcomeUnknown: false, paymentId: null, e);
        }
    }

    public async Task<PaymentState> QueryAsync(PaymentRef payment, CancellationToken cancellationToken)
    {
        try
        {
            return ToState(payment.TradeId, await Client.QueryByOutTradeNoAsync(payment.PaymentId, cancellationToken));
        }
        catch (WeChatPayException e) when (e.Category == WeChatPayErrorCategory.NotFound)
        {
            return new PaymentState(payment.TradeId, ProviderPaymentStatus.Unknown) { Detail = e.Code };
        }
        catch (WeChatPayException e)
        {
            throw Unknown("query", e);
        }
    }

    public async Task<PaymentState> CloseAsync(PaymentRef payment, CancellationToken cancellationToken)
    {
        try
        {
            await Client.CloseAsync(payment.PaymentId, cancellationToken);
        }
        catch (WeChatPayException e) when (e.Category is WeChatPayErrorCategory.OrderClosed or WeChatPayErrorCategory.OrderPaid
                                               or WeChatPayErrorCategory.NotFound)
        {
            // Already closed, paid meanwhile, or never created: the query below says which.
        }
        catch (WeChatPayException e)
        {
            throw Unknown("close", e);
        }

        // The close answers nothing about the payment itself: ask, so a payment made just before it is seen (a late one).
        var state = await QueryAsync(payment, cancellationToken);
        return state.Status is ProviderPaymentStatus.Pending or ProviderPaymentStatus.Unknown
            ? state with { Status = ProviderPaymentStatus.Closed }
            : state;
    }

    public async Task<RefundState> RefundAsync(RefundRequest request, CancellationToken cancellationToken)
    {
        try
        {
            var refund = await Client.RefundAsync(new Sdk.RefundRequest(request.PaymentId, request.RefundKey, request.AmountFen, request.TotalFen,
                Reason(request.Reason), NotifyUrl), cancellationToken);
            return ToState(request.RefundKey, refund.Status, refund.RefundId);
        }
        catch (WeChatPayException e) when (!e.OutcomeUnknown && !e.IsTransient && e.Category is not (WeChatPayErrorCategory.SignError
                                               or WeChatPayErrorCategory.Unverified or WeChatPayErrorCategory.Unknown))
        {
            // Refused for good (more than was paid, the payment gone, a rule): a person decides what now.
            return new RefundState(request.RefundKey, ProviderRefundStatus.Closed) { Detail = $"{e.Code}: {e.WeChatMessage}" };
        }
        catch (WeChatPayException e)
        {
            throw Unknown("refund", e);
        }
    }

    public async Task<RefundState> QueryRefundAsync(RefundRequest request, CancellationToken cancellationToken)
    {
        try
        {
            var refund = await Client.QueryRefundAsync(request.RefundKey, cancellationToken);
            return ToState(request.RefundKey, refund.Status, refund.RefundId);
        }
        catch (WeChatPayException e) when (e.Category == WeChatPayErrorCategory.NotFound)
        {
            return new RefundState(request.RefundKey, ProviderRefundStatus.Unknown);
        }
        catch (WeChatPayException e)
        {
            throw Unknown("refund query", e);
        }
    }

    public async Task<NotificationReading> ReadNotificationAsync(byte[] body, IHeaderDictionary headers, CancellationToken cancellationToken)
    {
        if (!options.Value.Enabled)
        {
            return NotificationReading.Reject("WeChat Pay is not configured");
        }

        var reading = await services.GetRequiredService<WeChatPayNotifications>()
            .ReadAsync(WeChatPaySignatureHeaders.From(name => headers[name].ToString()), body, cancellationToken);
        if (!reading.TryGet(out var notification, out var reason))
        {
            return NotificationReading.Reject(reason);
        }

        return NotificationReading.Accept(notification switch
        {
            WeChatPayTransactionNotification paid => new ProviderNotification(paid.Id, paid.Transaction.OutTradeNo)
            {
                Payment = ToState(paid.Transaction.OutTradeNo, paid.Transaction),
            },
            WeChatPayRefundNotification refunded => new ProviderNotification(refunded.Id, refunded.Refund.OutTradeNo)
            {
                Refund = refunded.Refund.MchId == options.Value.MchId
                    ? ToState(refunded.Refund.OutRefundNo, refunded.Refund.RefundStatus, refunded.Refund.RefundId)
                    : null,
            },
            // Verified but of a kind we do not act on: stored, so WeChat stops sending it, and nothing else.
            _ => new ProviderNotification(notification.Id, ""),
        });
    }

    /// <summary>WECHATPAY §6.2: only a report about our merchant, our app and this trade counts.</summary>
    private PaymentState ToState(string tradeId, WeChatPayTransaction transaction)
    {
        var mismatch = transaction.MchId != options.Value.MchId ? "mchid"
            : transaction.AppId != options.Value.AppId ? "appid"
            : transaction.OutTradeNo != tradeId ? "out_trade_no"
            : null;
        var status = transaction.TradeState switch
        {
            // REFUND: it was paid, and some of it has gone back since.
            WeChatPayTradeState.Success or WeChatPayTradeState.Refund => ProviderPaymentStatus.Succeeded,
            WeChatPayTradeState.Closed or WeChatPayTradeState.Revoked => ProviderPaymentStatus.Closed,
            WeChatPayTradeState.PayError => ProviderPaymentStatus.Failed,
            _ => ProviderPaymentStatus.Pending,
        };
        return new PaymentState(tradeId, status)
        {
            TransactionId = transaction.TransactionId,
            PaidFen = status == ProviderPaymentStatus.Succeeded ? transaction.Amount?.Total : null,
            PaidAt = status == ProviderPaymentStatus.Succeeded ? transaction.SuccessTime?.ToUniversalTime() : null,
            Mismatch = mismatch is null ? null : $"{mismatch} is not ours",
            Detail = transaction.TradeStateDesc,
        };
    }

    private static RefundState ToState(string refundKey, WeChatPayRefundStatus status, string? refundId) =>
        new(refundKey, status switch
        {
            WeChatPayRefundStatus.Success => ProviderRefundStatus.Succeeded,
            WeChatPayRefundStatus.Closed => ProviderRefundStatus.Closed,
            WeChatPayRefundStatus.Abnormal => ProviderRefundStatus.Abnormal,
            WeChatPayRefundStatus.Processing => ProviderRefundStatus.Processing,
            _ => ProviderRefundStatus.Unknown,
        })
        {
            RefundId = refundId,
            Detail = status is WeChatPayRefundStatus.Closed or WeChatPayRefundStatus.Abnormal ? status.ToString().ToUpperInvariant() : null,
        };

    // WeChat shows the reason to the customer and takes 80 characters.
    private static string Reason(string reason) => reason.Length <= 80 ? reason : reason[..77] + "...";

    private static PaymentProviderException Unknown(string operation, WeChatPayException e) =>
        new($"WeChat Pay {operation}: {e.Category} ({e.Code}){(e.OutcomeUnknown ? ", outcome unknown" : "")}", e);
}
