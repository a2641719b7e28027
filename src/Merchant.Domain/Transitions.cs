namespace Merchant.Domain;

/// <summary>
/// The one transition table of the trade lifecycle (DESIGN §2). Every status change of a trade
/// or a line is a row here; anything else is refused with <see cref="InvalidTransitionException"/>.
/// </summary>
public static class Transitions
{
    public static IReadOnlyList<Transition<TradeStatus, TradeTrigger>> Trade { get; } =
    [
        new(TradeStatus.Created, TradeTrigger.PlaceOrder, TradeStatus.AwaitingPayment),
        new(TradeStatus.Created, TradeTrigger.Reject, TradeStatus.Rejected),
        new(TradeStatus.Created, TradeTrigger.StartPickup, TradeStatus.Dispensing),
        new(TradeStatus.AwaitingPayment, TradeTrigger.Pay, TradeStatus.Paid),
        new(TradeStatus.AwaitingPayment, TradeTrigger.Cancel, TradeStatus.Cancelled),
        new(TradeStatus.AwaitingPayment, TradeTrigger.Expire, TradeStatus.Expired),
        new(TradeStatus.AwaitingPayment, TradeTrigger.RefuseLatePayment, TradeStatus.Refunding),
        new(TradeStatus.Cancelled, TradeTrigger.RefuseLatePayment, TradeStatus.Refunding),
        new(TradeStatus.Expired, TradeTrigger.RefuseLatePayment, TradeStatus.Refunding),
        new(TradeStatus.AwaitingPayment, TradeTrigger.RefuseMismatchedPayment, TradeStatus.NeedsAttention),
        new(TradeStatus.Cancelled, TradeTrigger.RefuseMismatchedPayment, TradeStatus.NeedsAttention),
        new(TradeStatus.Expired, TradeTrigger.RefuseMismatchedPayment, TradeStatus.NeedsAttention),
        new(TradeStatus.Paid, TradeTrigger.ConfirmWithPlatform, TradeStatus.Dispensing),
        new(TradeStatus.Paid, TradeTrigger.PlatformRefused, TradeStatus.Refunding),
        new(TradeStatus.Dispensing, TradeTrigger.Complete, TradeStatus.Completed),
        new(TradeStatus.Dispensing, TradeTrigger.BeginRefunds, TradeStatus.Refunding),
        new(TradeStatus.Dispensing, TradeTrigger.FinishRefundsPartially, TradeStatus.PartiallyRefunded),
        new(TradeStatus.Dispensing, TradeTrigger.FinishRefundsFully, TradeStatus.Refunded),
        new(TradeStatus.Dispensing, TradeTrigger.Escalate, TradeStatus.NeedsAttention),
        new(TradeStatus.Refunding, TradeTrigger.FinishRefundsPartially, TradeStatus.PartiallyRefunded),
        new(TradeStatus.Refunding, TradeTrigger.FinishRefundsFully, TradeStatus.Refunded),
        new(TradeStatus.Refunding, TradeTrigger.Escalate, TradeStatus.NeedsAttention),
        new(TradeStatus.NeedsAttention, TradeTrigger.Complete, TradeStatus.Completed),
        new(TradeStatus.NeedsAttention, TradeTrigger.BeginRefunds, TradeStatus.Refunding),
        new(TradeStatus.NeedsAttention, TradeTrigger.FinishRefundsPartially, TradeStatus.PartiallyRefunded),
        new(TradeStatus.NeedsAttention, TradeTrigger.FinishRefundsFully, TradeStatus.Refunded),
        new(TradeStatus.NeedsAttention, TradeTrigger.Replace, TradeStatus.Replaced),
    ];

    public static IReadOnlyList<Transition<LineStatus, LineTrigger>> Line { get; } =
    [
        new(LineStatus.Pending, LineTrigger.StartDispensing, LineStatus.Dispensing),
        new(LineStatus.Pending, LineTrigger.Cancel, LineStatus.Cancelled),
        new(LineStatus.Cancelled, LineTrigger.RequestRefund, LineStatus.Refunding),
        new(LineStatus.Cancelled, LineTrigger.Escalate, LineStatus.NeedsAttention),
        new(LineStatus.Dispensing, LineTrigger.ReportDispensed, LineStatus.Dispensed),
        new(LineStatus.Dispensing, LineTrigger.ReportFailed, LineStatus.Failed),
        new(LineStatus.Dispensing, LineTrigger.Escalate, LineStatus.NeedsAttention),
        new(LineStatus.Failed, LineTrigger.RequestRefund, LineStatus.Refunding),
        new(LineStatus.Failed, LineTrigger.Escalate, LineStatus.NeedsAttention),
        new(LineStatus.Refunding, LineTrigger.ConfirmRefund, LineStatus.Refunded),
        new(LineStatus.Refunding, LineTrigger.Escalate, LineStatus.NeedsAttention),
        new(LineStatus.NeedsAttention, LineTrigger.ReportDispensed, LineStatus.Dispensed),
        new(LineStatus.NeedsAttention, LineTrigger.ReportFailed, LineStatus.Failed),
        new(LineStatus.NeedsAttention, LineTrigger.RequestRefund, LineStatus.Refunding),
        // A refund the provider confirms after we escalated it (a late notification or query): the money went back.
        new(LineStatus.NeedsAttention, LineTrigger.ConfirmRefund, LineStatus.Refunded),
    ];

    public static TradeStatus Next(TradeStatus from, TradeTrigger trigger) => Apply(Trade, from, trigger, "trade");

    public static LineStatus Next(LineStatus from, LineTrigger trigger) => Apply(Line, from, trigger, "line");

    public static bool IsTerminal(this TradeStatus status) =>
        status is TradeStatus.Completed or TradeStatus.PartiallyRefunded or TradeStatus.Refunded
            or TradeStatus.Cancelled or TradeStatus.Expired or TradeStatus.Rejected or TradeStatus.Replaced;

    /// <summary>A settled line needs nothing more from the machine.</summary>
    public static bool IsSettled(this LineStatus status) =>
        status is not (LineStatus.Pending or LineStatus.Dispensing);

    private static TState Apply<TState, TTrigger>(
        IReadOnlyList<Transition<TState, TTrigger>> table, TState from, TTrigger trigger, string subject)
        where TState : struct, Enum
        where TTrigger : struct, Enum
    {
        foreach (var row in table)
        {
            if (EqualityComparer<TState>.Default.Equals(row.From, from)
                && EqualityComparer<TTrigger>.Default.Equals(row.Trigger, trigger))
            {
                return row.To;
            }
        }

        // Repeating a transition already taken (a duplicate callback, a second cancel) changes nothing.
        foreach (var row in table)
        {
            if (EqualityComparer<TTrigger>.Default.Equals(row.Trigger, trigger)
                && EqualityComparer<TState>.Default.Equals(row.To, from))
            {
                return from;
            }
        }

        throw new InvalidTransitionException(subject, from.ToString(), trigger.ToString());
    }
}

public sealed record Transition<TState, TTrigger>(TState From, TTrigger Trigger, TState To)
    where TState : struct, Enum
    where TTrigger : struct, Enum;

/// <summary>A trigger that the transition table does not allow from the current status.</summary>
public sealed class InvalidTransitionException(string subject, string from, string trigger)
    : InvalidOperationException($"A {subject} in status '{StatusNames.Snake(from)}' cannot {StatusNames.Snake(trigger).Replace('_', ' ')}.")
{
    public string Subject { get; } = subject;

    public string From { get; } = StatusNames.Snake(from);

    public string Trigger { get; } = StatusNames.Snake(trigger);
}
