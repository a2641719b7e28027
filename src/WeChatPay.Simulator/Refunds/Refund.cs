namespace WeChatPay.Simulator.Refunds;

internal static class RefundStatus
{
    public const string Success = "SUCCESS";
    public const string Processing = "PROCESSING";
    public const string Abnormal = "ABNORMAL";
    public const string Closed = "CLOSED";

    public static bool IsKnown(string? status) => status is Success or Processing or Abnormal or Closed;
}

internal sealed class Refund
{
    public required string OutRefundNo { get; init; }

    public required string RefundId { get; init; }

    public required string OutTradeNo { get; init; }

    public required string TransactionId { get; init; }

    public required long Amount { get; init; }

    public required long Total { get; init; }

    public required string Currency { get; init; }

    public string? Reason { get; init; }

    public string? NotifyUrl { get; init; }

    public required string Fingerprint { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required RefundOutcome Outcome { get; init; }

    public string Status { get; set; } = RefundStatus.Processing;

    public DateTimeOffset? SuccessTime { get; set; }

    /// <summary>Sim time at which a PROCESSING refund settles by itself; null when it waits for the control API.</summary>
    public DateTimeOffset? SettleAt { get; set; }

    // A CLOSED refund gives its amount back to the refundable balance.
    public bool Holds => Status != RefundStatus.Closed;
}
