using System.Text.Json.Nodes;
using WeChatPay.Simulator.Api;
using WeChatPay.Simulator.Crypto;
using WeChatPay.Simulator.Refunds;
using WeChatPay.Simulator.State;
using WeChatPay.Simulator.Transactions;

namespace WeChatPay.Simulator.Notifications;

/// <summary>Builds encrypted notifications and queues them for the dispatcher; callers hold the state gate.</summary>
internal static class Notices
{
    public const string TransactionSuccess = "TRANSACTION.SUCCESS";

    public static void Payment(SimState state, Transaction transaction) =>
        Publish(state, TransactionSuccess, "支付成功", "transaction", transaction.NotifyUrl,
            TransactionJson.Render(state, transaction), transaction.OutTradeNo, null);

    // WeChat sends refund notifications only when the refund named a notify_url.
    public static void Refund(SimState state, Refund refund, Transaction transaction)
    {
        if (refund.NotifyUrl is not { } url)
        {
            return;
        }

        var (eventType, summary) = refund.Status switch
        {
            RefundStatus.Success => ("REFUND.SUCCESS", "退款成功"),
            RefundStatus.Closed => ("REFUND.CLOSED", "退款关闭"),
            _ => ("REFUND.ABNORMAL", "退款异常"),
        };
        Publish(state, eventType, summary, "refund", url, RefundJson.Notice(refund, transaction.MchId), refund.OutTradeNo, refund.OutRefundNo);
    }

    /// <summary>The notification envelope around a resource encrypted with the merchant's APIv3 key.</summary>
    public static JsonObject Envelope(string id, DateTimeOffset at, string eventType, string summary, string originalType, string plaintext, string apiV3Key)
    {
        var nonce = WeChatCrypto.Nonce(12);
        return new JsonObject
        {
            ["id"] = id,
            ["create_time"] = WxFormat.Time(at),
            ["resource_type"] = "encrypt-resource",
            ["event_type"] = eventType,
            ["summary"] = summary,
            ["resource"] = new JsonObject
            {
                ["original_type"] = originalType,
                ["algorithm"] = "AEAD_AES_256_GCM",
                ["ciphertext"] = WeChatCrypto.Encrypt(apiV3Key, nonce, originalType, plaintext),
                ["associated_data"] = originalType,
                ["nonce"] = nonce,
            },
        };
    }

    private static void Publish(
        SimState state, string eventType, string summary, string originalType, string url, JsonObject resource, string outTradeNo, string? outRefundNo)
    {
        var id = state.NewEventId();
        var now = state.Clock.Now;
        var plaintext = WxFormat.Text(resource);
        var entry = new NotificationEntry
        {
            Seq = state.NewNotificationSeq(),
            Id = id,
            EventType = eventType,
            OutTradeNo = outTradeNo,
            OutRefundNo = outRefundNo,
            Url = url,
            Body = WxFormat.Text(Envelope(id, now, eventType, summary, originalType, plaintext, state.Merchant.ApiV3Key)),
            Plaintext = plaintext,
            CreatedAt = now,
        };
        state.Notifications.Add(entry);
        state.Enqueue(new NotificationJob(entry));
    }
}
