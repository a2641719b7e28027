namespace WeChatPay;

/// <summary>
/// A refund of <paramref name="Refund"/> fen out of the payment's <paramref name="Total"/>. Repeating it with the same
/// <paramref name="OutRefundNo"/> refunds once.
/// </summary>
public sealed record RefundRequest(string OutTradeNo, string OutRefundNo, long Refund, long Total, string? Reason = null, string? NotifyUrl = null);

/// <summary>A refund as WeChat Pay reports it. 200 on a refund means accepted: the outcome is <see cref="Status"/>, later.</summary>
public sealed record WeChatPayRefund(
    string RefundId,
    string OutRefundNo,
    WeChatPayRefundStatus Status,
    string? TransactionId = null,
    string? OutTradeNo = null,
    string? Channel = null,
    DateTimeOffset? SuccessTime = null,
    DateTimeOffset? CreateTime = null,
    WeChatPayRefundAmount? Amount = null);

public sealed record WeChatPayRefundAmount(long Total, long Refund, long? PayerTotal = null, long? PayerRefund = null, string? Currency = null);

/// <summary><c>ABNORMAL</c> is not final (it needs a person); <c>CLOSED</c> means the refund failed.</summary>
public enum WeChatPayRefundStatus
{
    Unknown,
    Success,
    Processing,
    Abnormal,
    Closed,
}

internal sealed record RefundBody(string OutTradeNo, string OutRefundNo, string? Reason, string NotifyUrl, RefundBodyAmount Amount);

internal sealed record RefundBodyAmount(long Refund, long Total, string Currency);
