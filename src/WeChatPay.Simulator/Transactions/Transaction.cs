namespace WeChatPay.Simulator.Transactions;

internal static class TradeState
{
    public const string NotPay = "NOTPAY";
    public const string Success = "SUCCESS";
    public const string Refund = "REFUND";
    public const string Closed = "CLOSED";
    public const string UserPaying = "USERPAYING";
    public const string PayError = "PAYERROR";

    public static string Describe(string state) => state switch
    {
        Success => "支付成功",
        Refund => "转入退款",
        NotPay => "未支付",
        Closed => "已关闭",
        UserPaying => "用户支付中",
        _ => "支付失败",
    };
}

internal sealed record PaymentAttempt(DateTimeOffset At, long Amount, string Outcome, string? OpenId, string? Reason);

internal sealed class Transaction
{
    public required string OutTradeNo { get; init; }

    public required string TradeType { get; init; }

    public required string AppId { get; init; }

    public required string MchId { get; init; }

    public required string Description { get; init; }

    public required string NotifyUrl { get; init; }

    public string? Attach { get; init; }

    public required long Total { get; init; }

    public required string Currency { get; init; }

    public DateTimeOffset? TimeExpire { get; init; }

    public string? RequestedOpenId { get; init; }

    public string? CodeUrl { get; init; }

    public string? PrepayId { get; init; }

    /// <summary>The request's parameters in canonical form: a repeat must match them exactly.</summary>
    public required string Fingerprint { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>NOTPAY, SUCCESS, CLOSED, USERPAYING or PAYERROR; REFUND is derived from the refunds.</summary>
    public string State { get; set; } = TradeState.NotPay;

    public string? TransactionId { get; set; }

    public DateTimeOffset? SuccessTime { get; set; }

    public long? PaidAmount { get; set; }

    public string? PayerOpenId { get; set; }

    public DateTimeOffset? ClosedAt { get; set; }

    public List<PaymentAttempt> Attempts { get; } = [];

    public List<string> RefundNos { get; } = [];

    public bool IsPaid => State == TradeState.Success;

    public bool IsExpired(DateTimeOffset now) => TimeExpire is { } expire && now >= expire;
}
