namespace WeChatPay.Simulator.Refunds;

/// <summary>How an accepted refund settles.</summary>
public enum RefundOutcome
{
    /// <summary>Answered PROCESSING, SUCCESS after the refund delay.</summary>
    DelayedSuccess,

    /// <summary>Answered SUCCESS at once.</summary>
    Success,

    /// <summary>Stays PROCESSING until settled through the control API.</summary>
    Processing,

    Closed,

    Abnormal,
}

internal static class RefundOutcomes
{
    public static readonly WireNames<RefundOutcome> Names = new(new Dictionary<string, RefundOutcome>(StringComparer.Ordinal)
    {
        ["delayed_success"] = RefundOutcome.DelayedSuccess,
        ["success"] = RefundOutcome.Success,
        ["processing"] = RefundOutcome.Processing,
        ["closed"] = RefundOutcome.Closed,
        ["abnormal"] = RefundOutcome.Abnormal,
    });

    /// <summary>The status a PROCESSING refund settles into by itself, if any.</summary>
    public static string? SettlesInto(RefundOutcome outcome) => outcome switch
    {
        RefundOutcome.DelayedSuccess => RefundStatus.Success,
        RefundOutcome.Closed => RefundStatus.Closed,
        RefundOutcome.Abnormal => RefundStatus.Abnormal,
        _ => null,
    };
}
