using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Serialization;

namespace WeChatPay;

/// <summary>A verified, decrypted WeChat Pay notification of an event this SDK has no type for; it is authentic all the same.</summary>
public record WeChatPayNotification(string Id, string EventType, DateTimeOffset? CreateTime, string? Summary);

/// <summary><c>TRANSACTION.SUCCESS</c>: a payment succeeded.</summary>
public sealed record WeChatPayTransactionNotification(string Id, string EventType, DateTimeOffset? CreateTime, string? Summary, WeChatPayTransaction Transaction)
    : WeChatPayNotification(Id, EventType, CreateTime, Summary);

/// <summary><c>REFUND.SUCCESS</c>, <c>REFUND.ABNORMAL</c> or <c>REFUND.CLOSED</c>: a refund reached that status.</summary>
public sealed record WeChatPayRefundNotification(string Id, string EventType, DateTimeOffset? CreateTime, string? Summary, WeChatPayRefundNotice Refund)
    : WeChatPayNotification(Id, EventType, CreateTime, Summary);

/// <summary>A refund notification's plaintext. Amounts are in fen.</summary>
public sealed record WeChatPayRefundNotice(
    [property: JsonPropertyName("mchid")] string MchId,
    string OutTradeNo,
    string OutRefundNo,
    string RefundId,
    WeChatPayRefundStatus RefundStatus,
    string? TransactionId = null,
    DateTimeOffset? SuccessTime = null,
    WeChatPayRefundAmount? Amount = null);

/// <summary>Why a notification was refused; every one of them is answered 401 and stored nowhere.</summary>
public enum WeChatPayNotificationFailure
{
    None,
    MissingHeaders,
    Probe,
    StaleTimestamp,
    UnknownSerial,
    BadSignature,

    /// <summary>The body is not a notification, or its plaintext is not the event's shape.</summary>
    Malformed,

    /// <summary>The resource did not decrypt with the APIv3 key.</summary>
    Undecryptable,
}

/// <summary>The outcome of reading a notification: the notification, or a failure and a reason fit for logs (no secrets, no payload).</summary>
public sealed record WeChatPayNotificationResult(WeChatPayNotification? Notification, WeChatPayNotificationFailure Failure, string Reason)
{
    [MemberNotNullWhen(true, nameof(Notification))]
    public bool Succeeded => Notification is not null;

    public bool TryGet([NotNullWhen(true)] out WeChatPayNotification? notification, out string reason)
    {
        notification = Notification;
        reason = Reason;
        return Succeeded;
    }
}

internal sealed record NotificationBody(
    string Id, string EventType, EncryptedResource Resource, DateTimeOffset? CreateTime = null, string? ResourceType = null, string? Summary = null);
