using System.Text;
using WeChatPay.Simulator.Control;
using WeChatPay.Simulator.Crypto;
using WeChatPay.Simulator.Merchant;
using WeChatPay.Simulator.Notifications;
using WeChatPay.Simulator.State;
using WeChatPay.Simulator.Transactions;

namespace WeChatPay.Simulator.Customer;

/// <summary>Plays the customer in the WeChat app: pays an order, or fails to.</summary>
internal sealed class CustomerService(SimState state)
{
    private static readonly string[] FailStates = [TradeState.NotPay, TradeState.UserPaying, TradeState.PayError];

    public IResult Pay(string outTradeNo, PayRequest request)
    {
        if (request.Amount is <= 0)
        {
            return Results.BadRequest(new ErrorView("amount must be > 0 (fen)"));
        }

        return WithPayable(outTradeNo, (transaction, now) =>
        {
            if (transaction.TradeType == TransactionService.Jsapi)
            {
                if (request.Openid is { } openId && openId != transaction.RequestedOpenId)
                {
                    return Results.Conflict(new ErrorView("this prepay_id was created for another openid"));
                }

                if (request.Jsapi is { } parameters && JsapiError(transaction, parameters, state.Merchant) is { } error)
                {
                    return Results.BadRequest(new ErrorView(error));
                }
            }

            var amount = request.Amount ?? transaction.Total;
            var payer = request.Openid ?? transaction.RequestedOpenId ?? "oSim" + WeChatCrypto.Nonce(24);
            transaction.State = TradeState.Success;
            transaction.TransactionId = state.NewTransactionId();
            transaction.SuccessTime = now;
            transaction.PaidAmount = amount;
            transaction.PayerOpenId = payer;
            transaction.Attempts.Add(new PaymentAttempt(now, amount, TradeState.Success, payer, null));
            Notices.Payment(state, transaction);
            Log.Paid(state.Logger, outTradeNo, amount);
            return Results.Ok(ControlViews.Transaction(state, transaction));
        });
    }

    public IResult Fail(string outTradeNo, FailRequest request)
    {
        var outcome = request.TradeState ?? TradeState.NotPay;
        if (!FailStates.Contains(outcome))
        {
            return Results.BadRequest(new ErrorView("trade_state must be NOTPAY, USERPAYING or PAYERROR"));
        }

        return WithPayable(outTradeNo, (transaction, now) =>
        {
            transaction.State = outcome;
            transaction.Attempts.Add(new PaymentAttempt(now, transaction.Total, outcome, transaction.RequestedOpenId, request.Reason ?? "余额不足"));
            return Results.Ok(ControlViews.Transaction(state, transaction));
        });
    }

    // Runs a customer action on an order the WeChat app would still offer to pay.
    private IResult WithPayable(string outTradeNo, Func<Transaction, DateTimeOffset, IResult> action)
    {
        lock (state.Gate)
        {
            if (!state.Transactions.TryGetValue(outTradeNo, out var transaction))
            {
                return Results.NotFound(new ErrorView($"transaction {outTradeNo} not found"));
            }

            var now = state.Clock.Now;
            return Refusal(transaction, now) is { } refusal
                ? Results.Conflict(new ErrorView(refusal))
                : action(transaction, now);
        }
    }

    // What the WeChat app would show instead of a payment sheet.
    private static string? Refusal(Transaction transaction, DateTimeOffset now) => transaction.State switch
    {
        TradeState.Success => "the order is already paid",
        TradeState.Closed => "the order is closed: a customer cannot pay it",
        TradeState.PayError => "the payment failed: the order takes no more payments",
        _ when transaction.IsExpired(now) => $"the order expired at {transaction.TimeExpire:O} (time_expire)",
        _ => null,
    };

    private static string? JsapiError(Transaction transaction, JsapiPayRequest parameters, MerchantAccount merchant)
    {
        if (parameters.AppId != transaction.AppId)
        {
            return "appId is not the order's appid";
        }

        if (parameters.Package != "prepay_id=" + transaction.PrepayId)
        {
            return "package must be prepay_id=<the order's prepay_id>";
        }

        if (parameters.SignType != "RSA")
        {
            return "signType must be RSA";
        }

        if (parameters.TimeStamp is null || parameters.NonceStr is null || parameters.PaySign is null || merchant.PublicKey is null)
        {
            return "timeStamp, nonceStr and paySign are required (and the merchant public key configured)";
        }

        var message = WeChatCrypto.JsapiMessage(parameters.AppId, parameters.TimeStamp, parameters.NonceStr, parameters.Package);
        return WeChatCrypto.Verify(merchant.PublicKey, Encoding.UTF8.GetBytes(message), parameters.PaySign)
            ? null
            : "paySign does not verify with the merchant's key (支付验证签名失败)";
    }
}
