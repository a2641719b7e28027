using Merchant.Domain;

namespace Merchant.Domain.Tests;

public class TradeTests
{
    private const string MachineNo = "16327129";
    private const long Cola = 1323442;
    private const long Chips = 1323443;

    private static readonly DateTimeOffset Start = new(2025, 3, 1, 10, 0, 0, TimeSpan.FromHours(8));
    private static readonly DateTimeOffset OrderCreated = Start.AddSeconds(3);
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(18);

    [Fact]
    public void A_new_purchase_is_created_with_one_pending_line_per_item()
    {
        var trade = Trade.NewPurchase("T1", MachineNo, [new LineDraft(Cola, "Cola", 300), new LineDraft(Cola, "Cola", 300)], "customer-7", Start);

        trade.Status.ShouldBe(TradeStatus.Created);
        trade.Kind.ShouldBe(TradeKind.Purchase);
        trade.CustomerRef.ShouldBe("customer-7");
        trade.CreatedAt.ShouldBe(Start);
        trade.PlatformOrderId.ShouldBeNull();
        trade.Lines.Select(l => (l.LineId, l.Status, l.Quantity, l.MachineNo)).ShouldBe(
            [(1, LineStatus.Pending, 1, MachineNo), (2, LineStatus.Pending, 1, MachineNo)]);
        trade.Changes.ShouldBeEmpty();
    }

    [Fact]
    public void A_purchase_without_items_is_refused()
    {
        var create = () => Trade.NewPurchase("T1", MachineNo, [], null, Start);

        create.ShouldThrow<ArgumentException>();
    }

    [Fact]
    public void Placing_the_order_rebuilds_the_lines_from_the_platform_records_at_platform_prices()
    {
        var trade = Trade.NewPurchase("T1", MachineNo, [new LineDraft(Cola, "Cola", 1), new LineDraft(Chips, "Chips", 1)], null, Start);

        trade.PlaceOrder(9001, [new PlatformRecord(78, Chips, 1, 450), new PlatformRecord(77, Cola, 1, 300)], 750, OrderCreated, Window, OrderCreated);

        trade.Status.ShouldBe(TradeStatus.AwaitingPayment);
        trade.PlatformOrderId.ShouldBe(9001);
        trade.Lines.Select(l => (l.LineId, l.PlatformRecordId, l.ProductId, l.Name, l.PriceFen, l.Quantity, l.Status)).ShouldBe(
        [
            (1, (long?)77, Cola, "Cola", 300L, 1, LineStatus.Pending),
            (2, (long?)78, Chips, "Chips", 450L, 1, LineStatus.Pending),
        ]);
        trade.LineForRecord(78).ShouldBeSameAs(trade.Line(2));
        trade.LineForRecord(79).ShouldBeNull();
    }

    [Fact]
    public void A_record_the_platform_merged_becomes_one_line_of_that_quantity()
    {
        var trade = Trade.NewPurchase("T1", MachineNo, [new LineDraft(Cola, "Cola", 300), new LineDraft(Cola, "Cola", 300)], null, Start);

        trade.PlaceOrder(9001, [new PlatformRecord(77, Cola, 2, 600)], 600, OrderCreated, Window, OrderCreated);

        var line = trade.Lines.ShouldHaveSingleItem();
        line.Quantity.ShouldBe(2);
        line.PriceFen.ShouldBe(600);
        line.PlatformRecordId.ShouldBe(77);
    }

    [Fact]
    public void The_amount_comes_from_the_platform()
    {
        var trade = Trade.NewPurchase("T1", MachineNo, [new LineDraft(Cola, "Cola", 1)], null, Start);

        trade.PlaceOrder(9001, [new PlatformRecord(77, Cola, 1, 300)], 300, OrderCreated, Window, OrderCreated);

        trade.AmountFen.ShouldBe(300);
        trade.Currency.ShouldBe("CNY");
    }

    [Fact]
    public void Payment_is_due_a_window_after_the_platform_created_the_order()
    {
        var trade = Trade.NewPurchase("T1", MachineNo, [new LineDraft(Cola, "Cola", 300)], null, Start);
        var recordedLater = OrderCreated.AddSeconds(40);

        trade.PlaceOrder(9001, [new PlatformRecord(77, Cola, 1, 300)], 300, OrderCreated, Window, recordedLater);

        trade.OrderCreatedAt.ShouldBe(OrderCreated);
        trade.PayBefore.ShouldBe(OrderCreated + Window);
        trade.UpdatedAt.ShouldBe(recordedLater);
    }

    [Fact]
    public void An_order_without_records_is_refused()
    {
        var trade = Trade.NewPurchase("T1", MachineNo, [new LineDraft(Cola, "Cola", 300)], null, Start);

        var place = () => trade.PlaceOrder(9001, [], 300, OrderCreated, Window, OrderCreated);

        place.ShouldThrow<ArgumentException>();
    }

    [Fact]
    public void Paying_inside_the_window_marks_the_trade_paid()
    {
        var trade = AwaitingPayment();
        var now = OrderCreated.AddMinutes(5);

        trade.Pay(now);

        trade.Status.ShouldBe(TradeStatus.Paid);
        trade.PaidAt.ShouldBe(now);
    }

    [Fact]
    public void Paying_at_the_last_moment_of_the_window_is_accepted()
    {
        var trade = AwaitingPayment();
        var deadline = OrderCreated + Window;

        var accepted = trade.CanAcceptPayment(deadline);
        trade.Pay(deadline);

        accepted.ShouldBeTrue();
        trade.Status.ShouldBe(TradeStatus.Paid);
    }

    [Fact]
    public void Paying_after_the_window_is_refused()
    {
        var trade = AwaitingPayment();
        var late = OrderCreated + Window + TimeSpan.FromSeconds(1);

        var pay = () => trade.Pay(late);

        pay.ShouldThrow<InvalidTransitionException>();
        trade.CanAcceptPayment(late).ShouldBeFalse();
        trade.Status.ShouldBe(TradeStatus.AwaitingPayment);
        trade.PaidAt.ShouldBeNull();
    }

    [Fact]
    public void Paying_twice_keeps_the_first_payment()
    {
        var trade = AwaitingPayment();
        trade.Pay(OrderCreated.AddMinutes(1));
        var changes = trade.Changes.Count;

        trade.Pay(OrderCreated.AddMinutes(2));

        trade.Status.ShouldBe(TradeStatus.Paid);
        trade.PaidAt.ShouldBe(OrderCreated.AddMinutes(1));
        trade.Changes.Count.ShouldBe(changes);
    }

    [Fact]
    public void Payment_is_not_accepted_once_the_trade_was_paid_or_cancelled()
    {
        var paid = AwaitingPayment();
        paid.Pay(OrderCreated.AddMinutes(1));
        var cancelled = AwaitingPayment();
        cancelled.Cancel(OrderCreated.AddMinutes(1));

        var paidAgain = paid.CanAcceptPayment(OrderCreated.AddMinutes(2));
        var afterCancel = cancelled.CanAcceptPayment(OrderCreated.AddMinutes(2));

        paidAgain.ShouldBeFalse();
        afterCancel.ShouldBeFalse();
    }

    [Fact]
    public void A_late_payment_is_refunded_in_full()
    {
        var trade = AwaitingPayment();
        var late = OrderCreated + Window + TimeSpan.FromMinutes(1);

        var toRefund = trade.RefundInFull(TradeTrigger.RefuseLatePayment, "paid after the window", late);
        foreach (var line in toRefund)
        {
            trade.RecordRefund(line.LineId, late.AddSeconds(5));
        }

        trade.Settle(late.AddSeconds(6));

        toRefund.Select(l => l.LineId).ShouldBe([1, 2]);
        trade.Status.ShouldBe(TradeStatus.Refunded);
        trade.Lines.ShouldAllBe(l => l.Status == LineStatus.Refunded);
        trade.RefundedFen.ShouldBe(trade.AmountFen);
        trade.PaidAt.ShouldBe(late);
    }

    [Fact]
    public void A_late_payment_cancels_pending_lines_and_waits_in_refunding()
    {
        var trade = AwaitingPayment();
        var late = OrderCreated + Window + TimeSpan.FromMinutes(1);

        trade.RefundInFull(TradeTrigger.RefuseLatePayment, "paid after the window", late);
        trade.Settle(late);

        trade.Status.ShouldBe(TradeStatus.Refunding);
        trade.Lines.ShouldAllBe(l => l.Status == LineStatus.Cancelled);
        trade.RefundedFen.ShouldBe(0);
    }

    [Fact]
    public void A_payment_after_expiry_is_refunded_in_full()
    {
        var trade = AwaitingPayment();
        trade.Expire(OrderCreated + Window + TimeSpan.FromSeconds(1));
        var late = OrderCreated + Window + TimeSpan.FromMinutes(3);

        var toRefund = trade.RefundInFull(TradeTrigger.RefuseLatePayment, "paid after expiry", late);

        trade.Status.ShouldBe(TradeStatus.Refunding);
        toRefund.Count.ShouldBe(2);
    }

    [Fact]
    public void A_payment_the_platform_refuses_is_refunded_in_full()
    {
        var trade = Paid();
        var now = OrderCreated.AddMinutes(2);

        var toRefund = trade.RefundInFull(TradeTrigger.PlatformRefused, "platform 40005", now);
        foreach (var line in toRefund)
        {
            trade.RecordRefund(line.LineId, now);
        }

        trade.Settle(now);

        trade.Status.ShouldBe(TradeStatus.Refunded);
        trade.RefundedFen.ShouldBe(trade.AmountFen);
    }

    [Fact]
    public void Refunding_in_full_accepts_only_a_refund_trigger()
    {
        var trade = AwaitingPayment();

        var refund = () => trade.RefundInFull(TradeTrigger.Cancel, "not a refund", OrderCreated);

        refund.ShouldThrow<ArgumentOutOfRangeException>();
        trade.Status.ShouldBe(TradeStatus.AwaitingPayment);
    }

    [Fact]
    public void Cancelling_before_payment_cancels_every_line()
    {
        var trade = AwaitingPayment();

        trade.Cancel(OrderCreated.AddMinutes(1));

        trade.Status.ShouldBe(TradeStatus.Cancelled);
        trade.Lines.ShouldAllBe(l => l.Status == LineStatus.Cancelled);
        trade.Lines.ShouldAllBe(l => l.SettledAt == OrderCreated.AddMinutes(1));
    }

    [Fact]
    public void Expiring_before_payment_cancels_every_line()
    {
        var trade = AwaitingPayment();

        trade.Expire(OrderCreated + Window + TimeSpan.FromSeconds(1));

        trade.Status.ShouldBe(TradeStatus.Expired);
        trade.Lines.ShouldAllBe(l => l.Status == LineStatus.Cancelled);
    }

    [Fact]
    public void Cancelling_twice_changes_nothing_more()
    {
        var trade = AwaitingPayment();
        trade.Cancel(OrderCreated.AddMinutes(1));
        var changes = trade.Changes.Count;

        trade.Cancel(OrderCreated.AddMinutes(2));

        trade.Status.ShouldBe(TradeStatus.Cancelled);
        trade.Changes.Count.ShouldBe(changes);
        trade.Lines.ShouldAllBe(l => l.SettledAt == OrderCreated.AddMinutes(1));
    }

    [Fact]
    public void Cancelling_after_payment_is_refused()
    {
        var trade = Paid();

        var cancel = () => trade.Cancel(OrderCreated.AddMinutes(2));

        cancel.ShouldThrow<InvalidTransitionException>();
        trade.Status.ShouldBe(TradeStatus.Paid);
        trade.Lines.ShouldAllBe(l => l.Status == LineStatus.Pending);
    }

    [Fact]
    public void Paying_a_cancelled_trade_is_refused()
    {
        var trade = AwaitingPayment();
        trade.Cancel(OrderCreated.AddMinutes(1));

        var pay = () => trade.Pay(OrderCreated.AddMinutes(2));

        pay.ShouldThrow<InvalidTransitionException>();
        trade.Status.ShouldBe(TradeStatus.Cancelled);
    }

    [Fact]
    public void Confirming_with_the_platform_starts_dispensing()
    {
        var trade = Paid();

        trade.ConfirmWithPlatform(OrderCreated.AddMinutes(2));

        trade.Status.ShouldBe(TradeStatus.Dispensing);
    }

    [Fact]
    public void Starting_a_line_marks_it_dispensing_and_keeps_the_delivery_id()
    {
        var trade = Dispensing();
        var now = OrderCreated.AddMinutes(3);

        trade.StartDispensing(1, now);
        trade.RecordDelivery(1, "delivery-42");

        var line = trade.Line(1);
        line.Status.ShouldBe(LineStatus.Dispensing);
        line.DispatchedAt.ShouldBe(now);
        line.DeliveryId.ShouldBe("delivery-42");
        trade.Line(2).Status.ShouldBe(LineStatus.Pending);
    }

    [Fact]
    public void Starting_a_line_twice_sends_no_second_command()
    {
        var trade = Dispensing();
        trade.StartDispensing(1, OrderCreated.AddMinutes(3));
        var changes = trade.Changes.Count;

        trade.StartDispensing(1, OrderCreated.AddMinutes(4));

        trade.Line(1).DispatchedAt.ShouldBe(OrderCreated.AddMinutes(3));
        trade.Changes.Count.ShouldBe(changes);
    }

    [Fact]
    public void A_failed_line_is_never_dispensed_again()
    {
        var trade = Dispensing();
        trade.StartDispensing(1, OrderCreated.AddMinutes(3));
        trade.RecordDispenseResult(1, dispensed: false, "IS_FAILED", OrderCreated.AddMinutes(4));

        var retry = () => trade.StartDispensing(1, OrderCreated.AddMinutes(5));

        retry.ShouldThrow<InvalidTransitionException>();
        trade.Line(1).Status.ShouldBe(LineStatus.Failed);
    }

    [Fact]
    public void A_result_for_a_line_never_sent_is_refused()
    {
        var trade = Dispensing();

        Action record = () => trade.RecordDispenseResult(1, dispensed: true, null, OrderCreated.AddMinutes(3));

        record.ShouldThrow<InvalidTransitionException>();
        trade.Line(1).Status.ShouldBe(LineStatus.Pending);
    }

    [Fact]
    public void An_unknown_line_is_reported_as_missing()
    {
        var trade = Dispensing();

        var start = () => trade.StartDispensing(3, OrderCreated.AddMinutes(3));

        start.ShouldThrow<KeyNotFoundException>();
    }

    [Fact]
    public void Dispensing_every_line_completes_the_trade()
    {
        var trade = Dispensing();
        var now = OrderCreated.AddMinutes(3);
        var changed = new List<bool>();

        foreach (var line in trade.Lines)
        {
            trade.StartDispensing(line.LineId, now);
            changed.Add(trade.RecordDispenseResult(line.LineId, dispensed: true, null, now.AddSeconds(30)));
        }

        trade.Settle(now.AddMinutes(1));

        changed.ShouldAllBe(c => c);
        trade.Status.ShouldBe(TradeStatus.Completed);
        trade.Lines.ShouldAllBe(l => l.Status == LineStatus.Dispensed && l.SettledAt == now.AddSeconds(30));
        trade.RefundedFen.ShouldBe(0);
        trade.StatusReason.ShouldBeNull();
    }

    [Fact]
    public void Settling_while_a_line_is_still_to_dispense_changes_nothing()
    {
        var trade = Dispensing();
        trade.StartDispensing(1, OrderCreated.AddMinutes(3));
        trade.RecordDispenseResult(1, dispensed: true, null, OrderCreated.AddMinutes(4));
        var changes = trade.Changes.Count;

        trade.Settle(OrderCreated.AddMinutes(5));

        trade.Status.ShouldBe(TradeStatus.Dispensing);
        trade.Changes.Count.ShouldBe(changes);
    }

    [Fact]
    public void Settling_before_dispensing_changes_nothing()
    {
        var trade = Paid();

        trade.Settle(OrderCreated.AddMinutes(5));

        trade.Status.ShouldBe(TradeStatus.Paid);
    }

    [Fact]
    public void A_failed_line_is_refunded_and_the_trade_ends_partially_refunded()
    {
        var trade = Dispensing();
        var now = OrderCreated.AddMinutes(3);
        trade.StartDispensing(1, now);
        trade.RecordDispenseResult(1, dispensed: true, null, now.AddSeconds(20));
        trade.StartDispensing(2, now.AddSeconds(30));
        trade.RecordDispenseResult(2, dispensed: false, "IS_FAILED", now.AddSeconds(50));

        trade.Settle(now.AddMinutes(1));
        var afterFailure = trade.Status;
        trade.RecordRefund(2, now.AddMinutes(2));
        trade.Settle(now.AddMinutes(2));

        afterFailure.ShouldBe(TradeStatus.Refunding);
        trade.Status.ShouldBe(TradeStatus.PartiallyRefunded);
        trade.Line(2).FailureReason.ShouldBe("IS_FAILED");
        trade.Line(2).Status.ShouldBe(LineStatus.Refunded);
        trade.RefundedFen.ShouldBe(trade.Line(2).PriceFen);
        trade.RefundedFen.ShouldBe(450);
    }

    [Fact]
    public void Every_line_failing_ends_fully_refunded()
    {
        var trade = Dispensing();
        var now = OrderCreated.AddMinutes(3);
        foreach (var line in trade.Lines)
        {
            trade.StartDispensing(line.LineId, now);
            trade.RecordDispenseResult(line.LineId, dispensed: false, "IS_TIMEOUT", now.AddSeconds(120));
        }

        trade.Settle(now.AddMinutes(3));
        foreach (var line in trade.Lines)
        {
            trade.RecordRefund(line.LineId, now.AddMinutes(4));
        }

        trade.Settle(now.AddMinutes(4));

        trade.Status.ShouldBe(TradeStatus.Refunded);
        trade.RefundedFen.ShouldBe(trade.AmountFen);
    }

    [Fact]
    public void Refunding_a_line_twice_refunds_it_once()
    {
        var trade = Dispensing();
        trade.StartDispensing(1, OrderCreated.AddMinutes(3));
        trade.RecordDispenseResult(1, dispensed: false, "IS_FAILED", OrderCreated.AddMinutes(4));
        trade.RecordRefund(1, OrderCreated.AddMinutes(5));
        var changes = trade.Changes.Count;

        trade.RecordRefund(1, OrderCreated.AddMinutes(6));

        trade.RefundedFen.ShouldBe(300);
        trade.Changes.Count.ShouldBe(changes);
    }

    [Fact]
    public void A_refund_the_provider_took_shows_refunding_until_it_is_confirmed()
    {
        var trade = Dispensing();
        var now = OrderCreated.AddMinutes(3);
        trade.StartDispensing(1, now);
        trade.RecordDispenseResult(1, dispensed: false, "IS_FAILED", now.AddSeconds(20));
        trade.StartDispensing(2, now.AddSeconds(30));
        trade.RecordDispenseResult(2, dispensed: true, null, now.AddSeconds(50));

        trade.RequestRefund(1, now.AddMinutes(1));
        trade.Settle(now.AddMinutes(1));
        var whileRefunding = (trade.Status, trade.Line(1).Status, trade.RefundedFen);
        trade.RecordRefund(1, now.AddMinutes(2));
        trade.Settle(now.AddMinutes(2));

        whileRefunding.ShouldBe((TradeStatus.Refunding, LineStatus.Refunding, 0L));
        trade.Line(1).Status.ShouldBe(LineStatus.Refunded);
        trade.Status.ShouldBe(TradeStatus.PartiallyRefunded);
        trade.RefundedFen.ShouldBe(300);
    }

    [Fact]
    public void A_refund_the_provider_closed_needs_attention_and_refunds_nothing()
    {
        var trade = Dispensing();
        var now = OrderCreated.AddMinutes(3);
        foreach (var line in trade.Lines)
        {
            trade.StartDispensing(line.LineId, now);
            trade.RecordDispenseResult(line.LineId, dispensed: line.LineId != 1, "IS_FAILED", now.AddSeconds(20));
        }

        trade.RequestRefund(1, now.AddSeconds(30));
        trade.RefundNotMade(1, "refund CLOSED by the provider", now.AddMinutes(1));
        trade.Settle(now.AddMinutes(1));

        trade.Line(1).Status.ShouldBe(LineStatus.NeedsAttention);
        trade.Line(1).FailureReason.ShouldBe("IS_FAILED");
        trade.Status.ShouldBe(TradeStatus.NeedsAttention);
        trade.RefundedFen.ShouldBe(0);
    }

    [Fact]
    public void A_refund_confirmed_after_it_was_escalated_still_counts()
    {
        var trade = Dispensing();
        var now = OrderCreated.AddMinutes(3);
        trade.StartDispensing(1, now);
        trade.RecordDispenseResult(1, dispensed: false, "IS_FAILED", now.AddSeconds(20));
        trade.RequestRefund(1, now.AddSeconds(30));
        trade.RefundNotMade(1, "refund not confirmed in time", now.AddHours(25));

        trade.RecordRefund(1, now.AddHours(26));

        trade.Line(1).Status.ShouldBe(LineStatus.Refunded);
        trade.RefundedFen.ShouldBe(300);
    }

    [Fact]
    public void A_payment_of_the_wrong_amount_dispenses_nothing_and_needs_attention()
    {
        var trade = AwaitingPayment();

        trade.RefuseMismatchedPayment("paid 1.00, expected 7.50", OrderCreated.AddMinutes(2));

        trade.Status.ShouldBe(TradeStatus.NeedsAttention);
        trade.StatusReason.ShouldBe("paid 1.00, expected 7.50");
        trade.Lines.ShouldAllBe(l => l.Status == LineStatus.Cancelled);
        Should.Throw<InvalidTransitionException>(() => trade.StartDispensing(1, OrderCreated.AddMinutes(3)));
    }

    [Fact]
    public void Only_a_failed_pickup_can_be_replaced()
    {
        var pickup = Pickup();
        pickup.StartDispensing(1, Start.AddSeconds(5));
        pickup.RecordDispenseResult(1, dispensed: false, "Goods are Stuck", Start.AddSeconds(30));
        pickup.Settle(Start.AddSeconds(30));
        var purchase = Dispensing();

        pickup.Replace("replacement code 7 issued", Start.AddMinutes(5));

        pickup.Status.ShouldBe(TradeStatus.Replaced);
        pickup.StatusReason.ShouldBe("replacement code 7 issued");
        Should.Throw<InvalidTransitionException>(() => purchase.Replace("no", Start.AddMinutes(5)));
    }

    [Fact]
    public void A_line_still_dispensing_cannot_be_refunded()
    {
        var trade = Dispensing();
        trade.StartDispensing(1, OrderCreated.AddMinutes(3));

        var refund = () => trade.RecordRefund(1, OrderCreated.AddMinutes(10));

        refund.ShouldThrow<InvalidTransitionException>();
        trade.RefundedFen.ShouldBe(0);
    }

    [Fact]
    public void A_dispensed_line_cannot_be_refunded()
    {
        var trade = Dispensing();
        trade.StartDispensing(1, OrderCreated.AddMinutes(3));
        trade.RecordDispenseResult(1, dispensed: true, null, OrderCreated.AddMinutes(4));

        var refund = () => trade.RecordRefund(1, OrderCreated.AddMinutes(5));

        refund.ShouldThrow<InvalidTransitionException>();
        trade.RefundedFen.ShouldBe(0);
    }

    [Fact]
    public void A_repeated_dispense_result_returns_false_and_changes_nothing()
    {
        var trade = Dispensing();
        trade.StartDispensing(1, OrderCreated.AddMinutes(3));
        trade.RecordDispenseResult(1, dispensed: true, null, OrderCreated.AddMinutes(4));
        var changes = trade.Changes.Count;

        var changed = trade.RecordDispenseResult(1, dispensed: true, null, OrderCreated.AddMinutes(5));

        changed.ShouldBeFalse();
        trade.Line(1).Status.ShouldBe(LineStatus.Dispensed);
        trade.Line(1).SettledAt.ShouldBe(OrderCreated.AddMinutes(4));
        trade.Changes.Count.ShouldBe(changes);
    }

    [Fact]
    public void A_repeated_failure_returns_false_and_keeps_the_first_reason()
    {
        var trade = Dispensing();
        trade.StartDispensing(1, OrderCreated.AddMinutes(3));
        trade.RecordDispenseResult(1, dispensed: false, "IS_FAILED", OrderCreated.AddMinutes(4));

        var changed = trade.RecordDispenseResult(1, dispensed: false, "IS_TIMEOUT", OrderCreated.AddMinutes(5));

        changed.ShouldBeFalse();
        trade.Line(1).FailureReason.ShouldBe("IS_FAILED");
    }

    [Fact]
    public void A_failure_reported_after_the_line_was_dispensed_is_refused()
    {
        var trade = Dispensing();
        trade.StartDispensing(1, OrderCreated.AddMinutes(3));
        trade.RecordDispenseResult(1, dispensed: true, null, OrderCreated.AddMinutes(4));

        Action conflicting = () => trade.RecordDispenseResult(1, dispensed: false, "IS_FAILED", OrderCreated.AddMinutes(5));

        conflicting.ShouldThrow<InvalidTransitionException>();
        trade.Line(1).Status.ShouldBe(LineStatus.Dispensed);
    }

    [Fact]
    public void An_escalated_line_puts_the_trade_in_needs_attention()
    {
        var trade = Dispensing();
        var now = OrderCreated.AddMinutes(3);
        trade.StartDispensing(1, now);
        trade.RecordDispenseResult(1, dispensed: true, null, now.AddSeconds(20));
        trade.StartDispensing(2, now.AddSeconds(30));

        trade.EscalateLine(2, "still IS_DELIVERING after the deadline", now.AddMinutes(5));
        trade.Settle(now.AddMinutes(5));

        trade.Status.ShouldBe(TradeStatus.NeedsAttention);
        trade.StatusReason.ShouldBe("line 2: still IS_DELIVERING after the deadline");
        trade.Line(2).Status.ShouldBe(LineStatus.NeedsAttention);
        trade.RefundedFen.ShouldBe(0);
    }

    [Fact]
    public void An_escalated_line_later_found_dispensed_completes_the_trade()
    {
        var trade = Dispensing();
        var now = OrderCreated.AddMinutes(3);
        foreach (var line in trade.Lines)
        {
            trade.StartDispensing(line.LineId, now);
            trade.EscalateLine(line.LineId, "no result", now.AddMinutes(5));
        }

        trade.Settle(now.AddMinutes(5));
        foreach (var line in trade.Lines)
        {
            trade.RecordDispenseResult(line.LineId, dispensed: true, null, now.AddMinutes(30));
        }

        trade.Settle(now.AddMinutes(30));

        trade.Status.ShouldBe(TradeStatus.Completed);
        trade.StatusReason.ShouldBeNull();
    }

    [Fact]
    public void A_new_pickup_is_created_with_one_pending_line()
    {
        var trade = Trade.NewPickup("P1", MachineNo, Cola, "8812345", Start);

        trade.Status.ShouldBe(TradeStatus.Created);
        trade.Kind.ShouldBe(TradeKind.Pickup);
        trade.PickupCode.ShouldBe("8812345");
        var line = trade.Lines.ShouldHaveSingleItem();
        line.ProductId.ShouldBe(Cola);
        line.Status.ShouldBe(LineStatus.Pending);
    }

    [Fact]
    public void Starting_a_pickup_goes_straight_to_dispensing_without_payment()
    {
        var trade = Trade.NewPickup("P1", MachineNo, Cola, "8812345", Start);

        trade.StartPickup(9100, [new PlatformRecord(88, Cola, 1, 300)], 300, Start.AddSeconds(2));

        trade.Status.ShouldBe(TradeStatus.Dispensing);
        trade.PlatformOrderId.ShouldBe(9100);
        trade.OrderCreatedAt.ShouldBe(Start.AddSeconds(2));
        trade.PayBefore.ShouldBeNull();
        trade.PaidAt.ShouldBeNull();
        trade.Lines.ShouldHaveSingleItem().PlatformRecordId.ShouldBe(88);
    }

    [Fact]
    public void A_successful_pickup_completes()
    {
        var trade = Pickup();

        trade.StartDispensing(1, Start.AddSeconds(5));
        trade.RecordDispenseResult(1, dispensed: true, null, Start.AddSeconds(40));
        trade.Settle(Start.AddSeconds(40));

        trade.Status.ShouldBe(TradeStatus.Completed);
    }

    [Fact]
    public void A_failed_pickup_dispense_needs_attention_instead_of_a_refund()
    {
        var trade = Pickup();
        trade.StartDispensing(1, Start.AddSeconds(5));

        var changed = trade.RecordDispenseResult(1, dispensed: false, "IS_FAILED", Start.AddSeconds(40));
        trade.Settle(Start.AddSeconds(40));

        changed.ShouldBeTrue();
        trade.Line(1).Status.ShouldBe(LineStatus.NeedsAttention);
        trade.Line(1).FailureReason.ShouldBe("IS_FAILED");
        trade.Status.ShouldBe(TradeStatus.NeedsAttention);
        trade.StatusReason.ShouldBe("line 1: IS_FAILED");
        trade.RefundedFen.ShouldBe(0);
    }

    [Fact]
    public void A_repeated_pickup_failure_returns_false()
    {
        var trade = Pickup();
        trade.StartDispensing(1, Start.AddSeconds(5));
        trade.RecordDispenseResult(1, dispensed: false, "IS_FAILED", Start.AddSeconds(40));

        var changed = trade.RecordDispenseResult(1, dispensed: false, "IS_FAILED", Start.AddSeconds(50));

        changed.ShouldBeFalse();
        trade.Line(1).Status.ShouldBe(LineStatus.NeedsAttention);
    }

    [Fact]
    public void Every_transition_is_recorded_with_its_trigger_name()
    {
        var trade = AwaitingPayment(singleItem: true);
        var paidAt = OrderCreated.AddMinutes(1);
        trade.Pay(paidAt);
        trade.ConfirmWithPlatform(paidAt.AddSeconds(1));
        trade.StartDispensing(1, paidAt.AddSeconds(2));
        trade.RecordDispenseResult(1, dispensed: true, null, paidAt.AddSeconds(30));

        trade.Settle(paidAt.AddSeconds(31));

        trade.Changes.ShouldBe(
        [
            new StatusChange(OrderCreated, null, "created", "awaiting_payment", "place_order", null),
            new StatusChange(paidAt, null, "awaiting_payment", "paid", "pay", null),
            new StatusChange(paidAt.AddSeconds(1), null, "paid", "dispensing", "confirm_with_platform", null),
            new StatusChange(paidAt.AddSeconds(2), 1, "pending", "dispensing", "start_dispensing", null),
            new StatusChange(paidAt.AddSeconds(30), 1, "dispensing", "dispensed", "report_dispensed", null),
            new StatusChange(paidAt.AddSeconds(31), null, "dispensing", "completed", "complete", null),
        ]);
        trade.UpdatedAt.ShouldBe(paidAt.AddSeconds(31));
    }

    [Fact]
    public void A_refund_path_is_recorded_with_its_trigger_names_and_reasons()
    {
        var trade = AwaitingPayment(singleItem: true);
        var late = OrderCreated + Window + TimeSpan.FromMinutes(1);
        trade.RefundInFull(TradeTrigger.RefuseLatePayment, "late", late);
        trade.RequestRefund(1, late);
        trade.RecordRefund(1, late.AddSeconds(5));

        trade.Settle(late.AddSeconds(5));

        trade.Changes.Skip(1).Select(c => (c.LineId, c.From, c.To, c.Trigger, c.Reason)).ShouldBe(
        [
            (null, "awaiting_payment", "refunding", "refuse_late_payment", "late"),
            (1, "pending", "cancelled", "cancel", "late"),
            (1, "cancelled", "refunding", "request_refund", null),
            (1, "refunding", "refunded", "confirm_refund", null),
            (null, "refunding", "refunded", "finish_refunds_fully", null),
        ]);
    }

    [Fact]
    public void The_platform_refusing_the_order_rejects_the_trade()
    {
        var trade = Trade.NewPurchase("T1", MachineNo, [new LineDraft(Cola, "Cola", 300)], null, Start);

        trade.Reject("platform 40002: product off shelf", Start.AddSeconds(2));

        trade.Status.ShouldBe(TradeStatus.Rejected);
        trade.StatusReason.ShouldBe("platform 40002: product off shelf");
        trade.Lines.ShouldAllBe(l => l.Status == LineStatus.Cancelled);
        trade.Changes.First().ShouldBe(
            new StatusChange(Start.AddSeconds(2), null, "created", "rejected", "reject", "platform 40002: product off shelf"));
    }

    [Fact]
    public void Rejecting_once_the_order_exists_is_refused()
    {
        var trade = AwaitingPayment();

        var reject = () => trade.Reject("too late", OrderCreated.AddMinutes(1));

        reject.ShouldThrow<InvalidTransitionException>();
        trade.Status.ShouldBe(TradeStatus.AwaitingPayment);
    }

    [Fact]
    public void Placing_the_same_order_again_changes_nothing()
    {
        var trade = AwaitingPayment();

        trade.PlaceOrder(9999, [new PlatformRecord(99, Cola, 1, 1)], 1, OrderCreated.AddMinutes(5), Window, OrderCreated.AddMinutes(5));

        trade.PlatformOrderId.ShouldBe(9001);
        trade.AmountFen.ShouldBe(750);
        trade.PayBefore.ShouldBe(OrderCreated + Window);
        trade.Lines.Select(l => l.PlatformRecordId).ShouldBe([77L, 78L]);
    }

    [Fact]
    public void Starting_a_pickup_again_never_resets_a_dispensed_line()
    {
        var trade = Pickup();
        trade.StartDispensing(1, Start.AddSeconds(3));
        trade.RecordDispenseResult(1, dispensed: true, null, Start.AddSeconds(4));

        trade.StartPickup(9100, [new PlatformRecord(88, Cola, 1, 300)], 300, Start.AddSeconds(5));
        var again = () => trade.StartDispensing(1, Start.AddSeconds(6));

        trade.Line(1).Status.ShouldBe(LineStatus.Dispensed);
        again.ShouldThrow<InvalidTransitionException>();
    }

    [Fact]
    public void A_purchase_cannot_start_as_a_pickup()
    {
        var trade = Dispensing();

        var start = () => trade.StartPickup(9100, [new PlatformRecord(88, Cola, 1, 300)], 300, Start);

        start.ShouldThrow<InvalidTransitionException>();
        trade.Lines.Count.ShouldBe(2);
    }

    [Fact]
    public void No_line_is_sent_to_the_machine_before_the_platform_knows_the_trade_is_paid()
    {
        var unpaid = AwaitingPayment();
        var paid = Paid();

        Should.Throw<InvalidTransitionException>(() => unpaid.StartDispensing(1, Start));
        Should.Throw<InvalidTransitionException>(() => paid.StartDispensing(1, Start));
        paid.Line(1).Status.ShouldBe(LineStatus.Pending);
    }

    [Fact]
    public void Nothing_is_refunded_on_a_trade_that_took_no_money()
    {
        var unpaid = AwaitingPayment();
        unpaid.Cancel(Start);
        var pickup = Pickup();
        pickup.StartDispensing(1, Start.AddSeconds(3));
        pickup.RecordDispenseResult(1, dispensed: false, "Goods are Stuck", Start.AddSeconds(4));

        Should.Throw<InvalidTransitionException>(() => unpaid.RecordRefund(1, Start));
        Should.Throw<InvalidTransitionException>(() => pickup.RecordRefund(1, Start));
        unpaid.RefundedFen.ShouldBe(0);
        pickup.RefundedFen.ShouldBe(0);
    }

    [Fact]
    public void A_failure_repeated_after_the_refund_was_paid_is_a_no_op()
    {
        var trade = Dispensing();
        trade.StartDispensing(1, OrderCreated.AddMinutes(3));
        trade.RecordDispenseResult(1, dispensed: false, "Goods are Stuck", OrderCreated.AddMinutes(4));
        trade.RecordRefund(1, OrderCreated.AddMinutes(5));

        var changed = trade.RecordDispenseResult(1, dispensed: false, "Goods are Stuck", OrderCreated.AddMinutes(6));

        changed.ShouldBeFalse();
        trade.Line(1).Status.ShouldBe(LineStatus.Refunded);
    }

    [Fact]
    public void Status_names_parse_only_their_exact_wire_form()
    {
        StatusNames.TryParseTrade("awaiting_payment", out var parsed).ShouldBeTrue();
        parsed.ShouldBe(TradeStatus.AwaitingPayment);
        StatusNames.TryParseTrade("1", out _).ShouldBeFalse();
        StatusNames.TryParseTrade("cre_ated", out _).ShouldBeFalse();
        StatusNames.TryParseTrade("Created", out _).ShouldBeFalse();
    }

    private static Trade AwaitingPayment(bool singleItem = false)
    {
        IEnumerable<LineDraft> items = singleItem
            ? [new LineDraft(Cola, "Cola", 300)]
            : [new LineDraft(Cola, "Cola", 300), new LineDraft(Chips, "Chips", 450)];
        PlatformRecord[] records = singleItem
            ? [new PlatformRecord(77, Cola, 1, 300)]
            : [new PlatformRecord(77, Cola, 1, 300), new PlatformRecord(78, Chips, 1, 450)];
        var trade = Trade.NewPurchase("T1", MachineNo, items, "customer-7", Start);
        trade.PlaceOrder(9001, records, records.Sum(r => r.PriceFen), OrderCreated, Window, OrderCreated);
        return trade;
    }

    private static Trade Paid()
    {
        var trade = AwaitingPayment();
        trade.Pay(OrderCreated.AddMinutes(1));
        return trade;
    }

    private static Trade Dispensing()
    {
        var trade = Paid();
        trade.ConfirmWithPlatform(OrderCreated.AddMinutes(2));
        return trade;
    }

    private static Trade Pickup()
    {
        var trade = Trade.NewPickup("P1", MachineNo, Cola, "8812345", Start);
        trade.StartPickup(9100, [new PlatformRecord(88, Cola, 1, 300)], 300, Start.AddSeconds(2));
        return trade;
    }
}
