using WeChatPay.Simulator.Notifications;
using WeChatPay.Simulator.Refunds;

namespace WeChatPay.Simulator.Faults;

/// <summary>A scripted switch: used by the next <c>Remaining</c> matching calls, or by all of them until cleared when sticky.</summary>
internal abstract class FaultSwitch
{
    public required long Id { get; init; }

    public string? OutTradeNo { get; init; }

    /// <summary>Null when sticky.</summary>
    public int? Remaining { get; set; }

    public int? DelayMs { get; init; }

    public bool Matches(string? outTradeNo) => Remaining is null or > 0 && (OutTradeNo is null || OutTradeNo == outTradeNo);

    /// <summary>Counts one use; true when the switch is spent and should leave its list.</summary>
    public bool Use()
    {
        if (Remaining is null)
        {
            return false;
        }

        Remaining--;
        return Remaining <= 0;
    }
}

internal enum EndpointFaultMode
{
    Error500,
    Error429,
    Error,
    Hang,
    Slow,
    Error500After,
    CloseAfter,
    BadSignature,
    StaleTimestamp,
    Unsigned,
}

internal sealed class EndpointFault : FaultSwitch
{
    public required string Endpoint { get; init; }

    public required EndpointFaultMode Mode { get; init; }

    public int? Status { get; init; }

    public string? Code { get; init; }
}

internal enum NotificationFaultMode
{
    Drop,
    Duplicate,
    Delay,
    Reorder,
    StaleTimestamp,
    BadSignature,
}

internal sealed class NotificationFault : FaultSwitch
{
    public required NotificationFaultMode Mode { get; init; }

    /// <summary>Matches event types by prefix: <c>TRANSACTION</c>, <c>REFUND</c>, <c>REFUND.CLOSED</c>.</summary>
    public string? EventType { get; init; }

    public List<NotificationJob> Held { get; } = [];

    public bool Flushed { get; set; }

    public bool MatchesEvent(string eventType) => EventType is null || eventType.StartsWith(EventType, StringComparison.Ordinal);
}

internal sealed class RefundScript : FaultSwitch
{
    public string? OutRefundNo { get; init; }

    public required RefundOutcome Outcome { get; init; }

    public bool MatchesRefund(string outTradeNo, string outRefundNo) =>
        Matches(outTradeNo) && (OutRefundNo is null || OutRefundNo == outRefundNo);
}

internal static class FaultNames
{
    public static readonly IReadOnlyList<string> Endpoints =
    [
        "transactions.native", "transactions.jsapi", "transactions.query", "transactions.close",
        "refunds.create", "refunds.query", "certificates",
    ];

    public static readonly WireNames<EndpointFaultMode> EndpointModes = new(new Dictionary<string, EndpointFaultMode>(StringComparer.Ordinal)
    {
        ["error500"] = EndpointFaultMode.Error500,
        ["error429"] = EndpointFaultMode.Error429,
        ["error"] = EndpointFaultMode.Error,
        ["hang"] = EndpointFaultMode.Hang,
        ["slow"] = EndpointFaultMode.Slow,
        ["error500_after"] = EndpointFaultMode.Error500After,
        ["close_after"] = EndpointFaultMode.CloseAfter,
        ["bad_signature"] = EndpointFaultMode.BadSignature,
        ["stale_timestamp"] = EndpointFaultMode.StaleTimestamp,
        ["unsigned"] = EndpointFaultMode.Unsigned,
    });

    public static readonly WireNames<NotificationFaultMode> NotificationModes = new(new Dictionary<string, NotificationFaultMode>(StringComparer.Ordinal)
    {
        ["drop"] = NotificationFaultMode.Drop,
        ["duplicate"] = NotificationFaultMode.Duplicate,
        ["delay"] = NotificationFaultMode.Delay,
        ["reorder"] = NotificationFaultMode.Reorder,
        ["stale_timestamp"] = NotificationFaultMode.StaleTimestamp,
        ["bad_signature"] = NotificationFaultMode.BadSignature,
    });
}
