using System.Text.Json;

namespace WeChatPay.Tests.Support;

/// <summary>Answer bodies in WeChat Pay's documented shapes.</summary>
internal static class Transactions
{
    public const string Paid = """
        {"appid":"wxd678efh567hg6787","mchid":"1230000109","out_trade_no":"20261122014815000000000001","transaction_id":"4200002026112212345678901234",
         "trade_type":"NATIVE","trade_state":"SUCCESS","trade_state_desc":"支付成功","bank_type":"OTHERS","success_time":"2026-11-22T09:49:02+08:00",
         "payer":{"openid":"oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"},"amount":{"total":1150,"payer_total":1150,"currency":"CNY","payer_currency":"CNY"}}
        """;

    public const string NotPaid = """
        {"amount":{"payer_currency":"CNY","total":1150},"appid":"wxd678efh567hg6787","mchid":"1230000109","out_trade_no":"20261122014815000000000001",
         "promotion_detail":[],"scene_info":{"device_id":""},"trade_state":"NOTPAY","trade_state_desc":"订单未支付"}
        """;

    public const string Refund = """
        {"refund_id":"50000000382019052709732678859","out_refund_no":"20261122014815000000000001-1","transaction_id":"4200002026112212345678901234",
         "out_trade_no":"20261122014815000000000001","channel":"ORIGINAL","user_received_account":"招商银行信用卡0403","status":"PROCESSING",
         "create_time":"2026-11-22T10:00:00+08:00","amount":{"total":1150,"refund":550,"payer_total":1150,"payer_refund":550,"currency":"CNY"}}
        """;

    public static WeChatPayTransaction Read(string json) => JsonSerializer.Deserialize<WeChatPayTransaction>(json, WeChatPayJson.Options)!;
}
