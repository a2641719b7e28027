using System.Text.Json.Nodes;
using WeChatPay.Simulator.Api;
using WeChatPay.Simulator.State;

namespace WeChatPay.Simulator.Transactions;

internal sealed record PaidView(string TransactionId, string TradeState, DateTimeOffset SuccessTime, string OpenId, long Amount);

internal static class TransactionJson
{
    /// <summary>The transaction as query answers and TRANSACTION.SUCCESS plaintexts show it, in WeChat's field order.</summary>
    public static JsonObject Render(SimState state, Transaction transaction)
    {
        var tradeState = state.TradeStateOf(transaction);
        if (transaction.IsPaid)
        {
            return Paid(transaction, new PaidView(
                transaction.TransactionId!, tradeState, transaction.SuccessTime!.Value, transaction.PayerOpenId!, transaction.PaidAmount!.Value));
        }

        return new JsonObject
        {
            ["mchid"] = transaction.MchId,
            ["appid"] = transaction.AppId,
            ["out_trade_no"] = transaction.OutTradeNo,
            ["trade_state"] = tradeState,
            ["trade_state_desc"] = TradeState.Describe(tradeState),
            ["attach"] = transaction.Attach ?? "",
            ["amount"] = new JsonObject
            {
                ["total"] = transaction.Total,
                ["currency"] = transaction.Currency,
                ["payer_currency"] = transaction.Currency,
            },
        };
    }

    /// <summary>A paid transaction; <paramref name="paid"/> may differ from the order (an amount mismatch, or a probe's claim).</summary>
    public static JsonObject Paid(Transaction transaction, PaidView paid) => new()
    {
        ["mchid"] = transaction.MchId,
        ["appid"] = transaction.AppId,
        ["out_trade_no"] = transaction.OutTradeNo,
        ["transaction_id"] = paid.TransactionId,
        ["trade_type"] = transaction.TradeType,
        ["trade_state"] = paid.TradeState,
        ["trade_state_desc"] = TradeState.Describe(paid.TradeState),
        ["bank_type"] = "OTHERS",
        ["attach"] = transaction.Attach ?? "",
        ["success_time"] = WxFormat.Time(paid.SuccessTime),
        ["payer"] = new JsonObject { ["openid"] = paid.OpenId },
        ["amount"] = new JsonObject
        {
            ["total"] = paid.Amount,
            ["payer_total"] = paid.Amount,
            ["currency"] = transaction.Currency,
            ["payer_currency"] = transaction.Currency,
        },
    };
}
