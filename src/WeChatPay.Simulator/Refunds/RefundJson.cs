using System.Text.Json.Nodes;
using WeChatPay.Simulator.Api;

namespace WeChatPay.Simulator.Refunds;

internal static class RefundJson
{
    private const string ReceivedAccount = "支付用户零钱";

    /// <summary>The refund as the create and query answers show it.</summary>
    public static JsonObject Render(Refund refund)
    {
        var json = new JsonObject
        {
            ["refund_id"] = refund.RefundId,
            ["out_refund_no"] = refund.OutRefundNo,
            ["transaction_id"] = refund.TransactionId,
            ["out_trade_no"] = refund.OutTradeNo,
            ["channel"] = "ORIGINAL",
            ["user_received_account"] = ReceivedAccount,
        };
        if (refund.SuccessTime is { } success)
        {
            json["success_time"] = WxFormat.Time(success);
        }

        json["create_time"] = WxFormat.Time(refund.CreatedAt);
        json["status"] = refund.Status;
        json["funds_account"] = "AVAILABLE";
        json["amount"] = new JsonObject
        {
            ["total"] = refund.Total,
            ["refund"] = refund.Amount,
            ["from"] = new JsonArray(),
            ["payer_total"] = refund.Total,
            ["payer_refund"] = refund.Amount,
            ["settlement_refund"] = refund.Amount,
            ["settlement_total"] = refund.Total,
            ["discount_refund"] = 0,
            ["currency"] = refund.Currency,
            ["refund_fee"] = 0,
        };
        json["promotion_detail"] = new JsonArray();
        return json;
    }

    /// <summary>The plaintext of a REFUND.* notification.</summary>
    public static JsonObject Notice(Refund refund, string mchId)
    {
        var json = new JsonObject
        {
            ["mchid"] = mchId,
            ["out_trade_no"] = refund.OutTradeNo,
            ["transaction_id"] = refund.TransactionId,
            ["out_refund_no"] = refund.OutRefundNo,
            ["refund_id"] = refund.RefundId,
            ["refund_status"] = refund.Status,
        };
        if (refund.SuccessTime is { } success)
        {
            json["success_time"] = WxFormat.Time(success);
        }

        json["user_received_account"] = ReceivedAccount;
        json["amount"] = new JsonObject
        {
            ["total"] = refund.Total,
            ["refund"] = refund.Amount,
            ["payer_total"] = refund.Total,
            ["payer_refund"] = refund.Amount,
        };
        return json;
    }
}
