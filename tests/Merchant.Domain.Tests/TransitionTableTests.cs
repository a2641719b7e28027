using Merchant.Domain;

namespace Merchant.Domain.Tests;

/// <summary>
/// Every (status, trigger) pair of trades and lines, checked against lists written out here by hand,
/// so that any change to <see cref="Transitions"/> has to be made in two places on purpose.
/// </summary>
public class TransitionTableTests
{
    private static readonly (TradeStatus From, TradeTrigger Trigger, TradeStatus To)[] AllowedTrade =
    [
        (TradeStatus.Created, TradeTrigger.PlaceOrder, TradeStatus.AwaitingPayment),
        (TradeStatus.Created, TradeTrigger.Reject, TradeStatus.Rejected),
        (TradeStatus.Created, TradeTrigger.StartPickup, TradeStatus.Dispensing),
        (TradeStatus.AwaitingPayment, TradeTrigger.Pay, TradeStatus.Paid),
        (TradeStatus.AwaitingPayment, TradeTrigger.Cancel, TradeStatus.Cancelled),
        (TradeStatus.AwaitingPayment, TradeTrigger.Expire, TradeStatus.Expired),
        (TradeStatus.AwaitingPayment, TradeTrigger.RefuseLatePayment, TradeStatus.Refunding),
        (TradeStatus.Cancelled, TradeTrigger.RefuseLatePayment, TradeStatus.Refunding),
        (TradeStatus.Expired, TradeTrigger.RefuseLatePayment, TradeStatus.Refunding),
        (TradeStatus.AwaitingPayment, TradeTrigger.RefuseMismatchedPayment, TradeStatus.NeedsAttention),
        (TradeStatus.Cancelled, TradeTrigger.RefuseMismatchedPayment, TradeStatus.NeedsAttention),
        (TradeStatus.Expired, TradeTrigger.RefuseMismatchedPayment, TradeStatus.NeedsAttention),
        (TradeStatus.Paid, TradeTrigger.ConfirmWithPlatform, TradeStatus.Dispensing),
        (TradeStatus.Paid, TradeTrigger.PlatformRefused, TradeStatus.Refunding),
        (TradeStatus.Dispensing, TradeTrigger.Complete, TradeStatus.Completed),
        (TradeStatus.Dispensing, TradeTrigger.BeginRefunds, TradeStatus.Refunding),
        (TradeStatus.Dispensing, TradeTrigger.FinishRefundsPartially, TradeStatus.PartiallyRefunded),
        (TradeStatus.Dispensing, TradeTrigger.FinishRefundsFully, TradeStatus.Refunded),
        (TradeStatus.Dispensing, TradeTrigger.Escalate, TradeStatus.NeedsAttention),
        (TradeStatus.Refunding, TradeTrigger.FinishRefundsPartially, TradeStatus.PartiallyRefunded),
        (TradeStatus.Refunding, TradeTrigger.FinishRefundsFully, TradeStatus.Refunded),
        (TradeStatus.Refunding, TradeTrigger.Escalate, TradeStatus.NeedsAttention),
        (TradeStatus.NeedsAttention, TradeTrigger.Complete, TradeStatus.Completed),
        (TradeStatus.NeedsAttention, TradeTrigger.BeginRefunds, TradeStatus.Refunding),
        (TradeStatus.NeedsAttention, TradeTrigger.FinishRefundsPartially, TradeStatus.PartiallyRefunded),
        (TradeStatus.NeedsAttention, TradeTrigger.FinishRefundsFully, TradeStatus.Refunded),
        (TradeStatus.NeedsAttention, TradeTrigger.Replace, TradeStatus.Replaced),
    ];

    // A trigger arriving again in the status it leads to: a duplicate callback, a second click.
    private static readonly (TradeStatus Status, TradeTrigger Trigger)[] RepeatedTrade =
    [
        (TradeStatus.AwaitingPayment, TradeTrigger.PlaceOrder),
        (TradeStatus.Rejected, TradeTrigger.Reject),
        (TradeStatus.Dispensing, TradeTrigger.StartPickup),
        (TradeStatus.Paid, TradeTrigger.Pay),
        (TradeStatus.Cancelled, TradeTrigger.Cancel),
        (TradeStatus.Expired, TradeTrigger.Expire),
        (TradeStatus.Refunding, TradeTrigger.RefuseLatePayment),
        (TradeStatus.Dispensing, TradeTrigger.ConfirmWithPlatform),
        (TradeStatus.Refunding, TradeTrigger.PlatformRefused),
        (TradeStatus.Completed, TradeTrigger.Complete),
        (TradeStatus.Refunding, TradeTrigger.BeginRefunds),
        (TradeStatus.PartiallyRefunded, TradeTrigger.FinishRefundsPartially),
        (TradeStatus.Refunded, TradeTrigger.FinishRefundsFully),
        (TradeStatus.NeedsAttention, TradeTrigger.Escalate),
        (TradeStatus.NeedsAttention, TradeTrigger.RefuseMismatchedPayment),
        (TradeStatus.Replaced, TradeTrigger.Replace),
    ];

    private static readonly (LineStatus From, LineTrigger Trigger, LineStatus To)[] AllowedLine =
    [
        (LineStatus.Pending, LineTrigger.StartDispensing, LineStatus.Dispensing),
        (LineStatus.Pending, LineTrigger.Cancel, LineStatus.Cancelled),
        (LineStatus.Cancelled, LineTrigger.RequestRefund, LineStatus.Refunding),
        (LineStatus.Cancelled, LineTrigger.Escalate, LineStatus.NeedsAttention),
        (LineStatus.Dispensing, LineTrigger.ReportDispensed, LineStatus.Dispensed),
        (LineStatus.Dispensing, LineTrigger.ReportFailed, LineStatus.Failed),
        (LineStatus.Dispensing, LineTrigger.Escalate, LineStatus.NeedsAttention),
        (LineStatus.Failed, LineTrigger.RequestRefund, LineStatus.Refunding),
        (LineStatus.Failed, LineTrigger.Escalate, LineStatus.NeedsAttention),
        (LineStatus.Refunding, LineTrigger.ConfirmRefund, LineStatus.Refunded),
        (LineStatus.Refunding, LineTrigger.Escalate, LineStatus.NeedsAttention),
        (LineStatus.NeedsAttention, LineTrigger.ReportDispensed, LineStatus.Dispensed),
        (LineStatus.NeedsAttention, LineTrigger.ReportFailed, LineStatus.Failed),
        (LineStatus.NeedsAttention, LineTrigger.RequestRefund, LineStatus.Refunding),
        (LineStatus.NeedsAttention, LineTrigger.ConfirmRefund, LineStatus.Refunded),
    ];

    private static readonly (LineStatus Status, LineTrigger Trigger)[] RepeatedLine =
    [
        (LineStatus.Dispensing, LineTrigger.StartDispensing),
        (LineStatus.Cancelled, LineTrigger.Cancel),
        (LineStatus.Refunding, LineTrigger.RequestRefund),
        (LineStatus.Refunded, LineTrigger.ConfirmRefund),
        (LineStatus.Dispensed, LineTrigger.ReportDispensed),
        (LineStatus.Failed, LineTrigger.ReportFailed),
        (LineStatus.NeedsAttention, LineTrigger.Escalate),
    ];

    public static TheoryData<TradeStatus, TradeTrigger, TradeStatus> AllowedTradePairs()
    {
        var data = new TheoryData<TradeStatus, TradeTrigger, TradeStatus>();
        foreach (var (from, trigger, to) in AllowedTrade)
        {
            data.Add(from, trigger, to);
        }

        return data;
    }

    public static TheoryData<TradeStatus, TradeTrigger> RepeatedTradePairs()
    {
        var data = new TheoryData<TradeStatus, TradeTrigger>();
        foreach (var (status, trigger) in RepeatedTrade)
        {
            data.Add(status, trigger);
        }

        return data;
    }

    public static TheoryData<TradeStatus, TradeTrigger> ForbiddenTradePairs()
    {
        var data = new TheoryData<TradeStatus, TradeTrigger>();
        foreach (var (status, trigger) in AllTradePairs())
        {
            if (!AllowedTrade.Any(a => a.From == status && a.Trigger == trigger) && !RepeatedTrade.Contains((status, trigger)))
            {
                data.Add(status, trigger);
            }
        }

        return data;
    }

    public static TheoryData<LineStatus, LineTrigger, LineStatus> AllowedLinePairs()
    {
        var data = new TheoryData<LineStatus, LineTrigger, LineStatus>();
        foreach (var (from, trigger, to) in AllowedLine)
        {
            data.Add(from, trigger, to);
        }

        return data;
    }

    public static TheoryData<LineStatus, LineTrigger> RepeatedLinePairs()
    {
        var data = new TheoryData<LineStatus, LineTrigger>();
        foreach (var (status, trigger) in RepeatedLine)
        {
            data.Add(status, trigger);
        }

        return data;
    }

    public static TheoryData<LineStatus, LineTrigger> ForbiddenLinePairs()
    {
        var data = new TheoryData<LineStatus, LineTrigger>();
        foreach (var (status, trigger) in AllLinePairs())
        {
            if (!AllowedLine.Any(a => a.From == status && a.Trigger == trigger) && !RepeatedLine.Contains((status, trigger)))
            {
                data.Add(status, trigger);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(AllowedTradePairs))]
    public void An_allowed_trade_trigger_moves_to_its_target(TradeStatus from, TradeTrigger trigger, TradeStatus expected)
    {
        var next = Transitions.Next(from, trigger);

        next.ShouldBe(expected);
    }

    [Theory]
    [MemberData(nameof(RepeatedTradePairs))]
    public void Repeating_a_trade_trigger_already_taken_changes_nothing(TradeStatus status, TradeTrigger trigger)
    {
        var next = Transitions.Next(status, trigger);

        next.ShouldBe(status);
    }

    [Theory]
    [MemberData(nameof(ForbiddenTradePairs))]
    public void Any_other_trade_trigger_is_refused(TradeStatus status, TradeTrigger trigger)
    {
        var refused = Should.Throw<InvalidTransitionException>(() => Transitions.Next(status, trigger));

        refused.Subject.ShouldBe("trade");
        refused.From.ShouldBe(status.ToWire());
        refused.Trigger.ShouldBe(Snake(trigger.ToString()));
    }

    [Theory]
    [MemberData(nameof(AllowedLinePairs))]
    public void An_allowed_line_trigger_moves_to_its_target(LineStatus from, LineTrigger trigger, LineStatus expected)
    {
        var next = Transitions.Next(from, trigger);

        next.ShouldBe(expected);
    }

    [Theory]
    [MemberData(nameof(RepeatedLinePairs))]
    public void Repeating_a_line_trigger_already_taken_changes_nothing(LineStatus status, LineTrigger trigger)
    {
        var next = Transitions.Next(status, trigger);

        next.ShouldBe(status);
    }

    [Theory]
    [MemberData(nameof(ForbiddenLinePairs))]
    public void Any_other_line_trigger_is_refused(LineStatus status, LineTrigger trigger)
    {
        var refused = Should.Throw<InvalidTransitionException>(() => Transitions.Next(status, trigger));

        refused.Subject.ShouldBe("line");
        refused.From.ShouldBe(status.ToWire());
        refused.Trigger.ShouldBe(Snake(trigger.ToString()));
    }

    [Fact]
    public void The_trade_cases_cover_every_status_and_trigger_exactly_once()
    {
        var covered = AllowedTrade.Select(a => (a.From, a.Trigger))
            .Concat(RepeatedTrade)
            .Concat(ForbiddenTradePairs().Select(row => ((TradeStatus)row[0], (TradeTrigger)row[1])))
            .ToList();

        covered.Count.ShouldBe(Enum.GetValues<TradeStatus>().Length * Enum.GetValues<TradeTrigger>().Length);
        covered.Distinct().Count().ShouldBe(covered.Count);
    }

    [Fact]
    public void The_line_cases_cover_every_status_and_trigger_exactly_once()
    {
        var covered = AllowedLine.Select(a => (a.From, a.Trigger))
            .Concat(RepeatedLine)
            .Concat(ForbiddenLinePairs().Select(row => ((LineStatus)row[0], (LineTrigger)row[1])))
            .ToList();

        covered.Count.ShouldBe(Enum.GetValues<LineStatus>().Length * Enum.GetValues<LineTrigger>().Length);
        covered.Distinct().Count().ShouldBe(covered.Count);
    }

    [Fact]
    public void The_trade_table_holds_exactly_the_allowed_transitions_once_each()
    {
        var rows = Transitions.Trade.Select(r => (r.From, r.Trigger, r.To)).ToList();

        rows.ShouldBe(AllowedTrade, ignoreOrder: true);
        rows.Select(r => (r.From, r.Trigger)).Distinct().Count().ShouldBe(rows.Count);
    }

    [Fact]
    public void The_line_table_holds_exactly_the_allowed_transitions_once_each()
    {
        var rows = Transitions.Line.Select(r => (r.From, r.Trigger, r.To)).ToList();

        rows.ShouldBe(AllowedLine, ignoreOrder: true);
        rows.Select(r => (r.From, r.Trigger)).Distinct().Count().ShouldBe(rows.Count);
    }

    [Theory]
    [InlineData(TradeStatus.Created, false)]
    [InlineData(TradeStatus.AwaitingPayment, false)]
    [InlineData(TradeStatus.Paid, false)]
    [InlineData(TradeStatus.Dispensing, false)]
    [InlineData(TradeStatus.Completed, true)]
    [InlineData(TradeStatus.PartiallyRefunded, true)]
    [InlineData(TradeStatus.Refunded, true)]
    [InlineData(TradeStatus.Cancelled, true)]
    [InlineData(TradeStatus.Expired, true)]
    [InlineData(TradeStatus.Rejected, true)]
    [InlineData(TradeStatus.Refunding, false)]
    [InlineData(TradeStatus.NeedsAttention, false)]
    public void Only_finished_trades_are_terminal(TradeStatus status, bool terminal)
    {
        var isTerminal = status.IsTerminal();

        isTerminal.ShouldBe(terminal);
    }

    [Theory]
    [InlineData(LineStatus.Pending, false)]
    [InlineData(LineStatus.Dispensing, false)]
    [InlineData(LineStatus.Dispensed, true)]
    [InlineData(LineStatus.Failed, true)]
    [InlineData(LineStatus.Refunded, true)]
    [InlineData(LineStatus.Cancelled, true)]
    [InlineData(LineStatus.NeedsAttention, true)]
    public void A_line_is_settled_once_it_needs_nothing_more_from_the_machine(LineStatus status, bool settled)
    {
        var isSettled = status.IsSettled();

        isSettled.ShouldBe(settled);
    }

    [Theory]
    [InlineData(TradeStatus.AwaitingPayment, "awaiting_payment")]
    [InlineData(TradeStatus.PartiallyRefunded, "partially_refunded")]
    [InlineData(TradeStatus.NeedsAttention, "needs_attention")]
    [InlineData(TradeStatus.Created, "created")]
    public void Trade_statuses_travel_as_snake_case(TradeStatus status, string wire)
    {
        var name = status.ToWire();

        name.ShouldBe(wire);
        StatusNames.TryParseTrade(wire, out var parsed).ShouldBeTrue();
        parsed.ShouldBe(status);
    }

    [Fact]
    public void A_refused_transition_explains_itself_in_wire_words()
    {
        var refused = Should.Throw<InvalidTransitionException>(() => Transitions.Next(TradeStatus.Paid, TradeTrigger.Cancel));

        refused.Message.ShouldBe("A trade in status 'paid' cannot cancel.");
        refused.ShouldBeAssignableTo<InvalidOperationException>();
    }

    private static IEnumerable<(TradeStatus, TradeTrigger)> AllTradePairs() =>
        from status in Enum.GetValues<TradeStatus>()
        from trigger in Enum.GetValues<TradeTrigger>()
        select (status, trigger);

    private static IEnumerable<(LineStatus, LineTrigger)> AllLinePairs() =>
        from status in Enum.GetValues<LineStatus>()
        from trigger in Enum.GetValues<LineTrigger>()
        select (status, trigger);

    // Written out here rather than borrowed from StatusNames, so a change there shows up as a failure.
    private static string Snake(string pascal) =>
        string.Concat(pascal.Select((c, i) => char.IsUpper(c) && i > 0 ? "_" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));
}
