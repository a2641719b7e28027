using Merchant.Api.Trades;
using Merchant.Reliability.Tests.Infrastructure;

namespace Merchant.Reliability.Tests.Faults;

/// <summary>
/// Step "refund" (the provider's refund, keyed trade + line, safe to repeat): the sandbox's fault switch makes it fail
/// for good, go unanswered, lose its answer, or be confirmed late. Every line ends refunded exactly once by the provider's
/// books, or with a person — and the ops refund settles that line under the same key.
/// </summary>
[Collection("faults-b")]
public sealed class RefundFaultTests : IAsyncLifetime
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(45);
    private Rig _rig = null!;

    public async Task InitializeAsync() => _rig = await Rig.StartAsync(new Dictionary<string, string?>
    {
        // Refunds are asked for at 0, 0.5, 1.5 and 3.5 s, then given up; confirmations are queried at 0.4, 1.2 and 5.2 s,
        // then given up (the next query would come after the deadline).
        ["Payments:RefundDeadline"] = "00:00:06",
        ["Payments:RefundConfirmDeadline"] = "00:00:06",
        ["Payments:RefundQueryFirstAfter"] = "00:00:00.400",
    }, databasePrefix: "f_refund");

    public async Task DisposeAsync() => await _rig.DisposeAsync();

    [Fact]
    public async Task A_refund_the_provider_refuses_goes_to_a_person_and_the_ops_refund_settles_it_once_the_provider_takes_it()
    {
        var trade = await CheckoutWithAFailingLineAndARefundFaultAsync("fail", "refund.fail", count: 1);

        await _rig.Shop.PayAsync(trade.TradeId);
        var escalated = await _rig.Shop.WaitForAsync(trade.TradeId, Within, "needs_attention");
        var detail = await _rig.Shop.DetailAsync(trade.TradeId);
        var whileEscalated = await _rig.VerifyAsync($"{nameof(A_refund_the_provider_refuses_goes_to_a_person_and_the_ops_refund_settles_it_once_the_provider_takes_it)}(escalated)");
        await _rig.Shop.OpsRefundAsync(trade.TradeId, 1);
        var settled = await _rig.Shop.WaitForAsync(trade.TradeId, Within, "partially_refunded");

        escalated.Lines[0].Status.ShouldBe("needs_attention");
        escalated.RefundedAmount.ShouldBe("0.00");
        detail.Refunds.ShouldHaveSingleItem().Status.ShouldBe("closed");
        detail.Timeline.ShouldContain(e => e.Kind == "refund" && e.Outcome!.StartsWith("refund closed by sandbox", StringComparison.Ordinal));
        whileEscalated.Escalated.ShouldContain(e => e.StartsWith($"trade {trade.TradeId} ", StringComparison.Ordinal));
        settled.Lines.Select(l => l.Status).ShouldBe(["refunded", "dispensed"]);
        settled.RefundedAmount.ShouldBe("3.00");
        (await ProviderRefundsAsync(trade.TradeId)).ShouldBe([$"{trade.TradeId}-1:succeeded"]);
        await _rig.VerifyAsync(nameof(A_refund_the_provider_refuses_goes_to_a_person_and_the_ops_refund_settles_it_once_the_provider_takes_it));
    }

    [Fact]
    public async Task A_refund_the_provider_never_answers_is_given_up_at_its_deadline_and_settled_by_ops_under_the_same_key()
    {
        var trade = await CheckoutWithAFailingLineAndARefundFaultAsync("error", "refund.error_until_deadline");

        await _rig.Shop.PayAsync(trade.TradeId);
        var escalated = await _rig.Shop.WaitForAsync(trade.TradeId, Within, "needs_attention");
        var detail = await _rig.Shop.DetailAsync(trade.TradeId);
        var attempts = detail.Timeline.Count(e => e.Summary == $"sandbox refund {trade.TradeId}-1");
        await _rig.VerifyAsync($"{nameof(A_refund_the_provider_never_answers_is_given_up_at_its_deadline_and_settled_by_ops_under_the_same_key)}(escalated)");
        await _rig.Shop.ClearSandboxFaultsAsync();
        await _rig.Shop.OpsRefundAsync(trade.TradeId, 1);
        var settled = await _rig.Shop.WaitForAsync(trade.TradeId, Within, "partially_refunded");

        escalated.Lines[0].Status.ShouldBe("needs_attention");
        detail.Timeline.ShouldContain(e => e.Summary == "refund of line 1 gave up");
        detail.Refunds.ShouldHaveSingleItem().Status.ShouldBe("pending");
        attempts.ShouldBeGreaterThanOrEqualTo(2, "the refund was asked for again before it was given up");
        settled.Lines[0].Status.ShouldBe("refunded");
        (await ProviderRefundsAsync(trade.TradeId)).ShouldBe([$"{trade.TradeId}-1:succeeded"]);
        await _rig.VerifyAsync(nameof(A_refund_the_provider_never_answers_is_given_up_at_its_deadline_and_settled_by_ops_under_the_same_key));
    }

    [Fact]
    public async Task A_refund_taken_whose_answer_is_lost_is_asked_again_under_its_key_and_paid_once()
    {
        var trade = await CheckoutWithAFailingLineAndARefundFaultAsync("hang", "refund.hang", count: 2, delayMs: 500);

        await _rig.Shop.PayAsync(trade.TradeId);
        var settled = await _rig.Shop.WaitForAsync(trade.TradeId, Within, "partially_refunded");
        var detail = await _rig.Shop.DetailAsync(trade.TradeId);

        settled.Lines[0].Status.ShouldBe("refunded");
        detail.Timeline.Count(e => e.Summary == $"sandbox refund {trade.TradeId}-1" && e.Outcome!.StartsWith("outcome unknown", StringComparison.Ordinal))
            .ShouldBe(2);
        (await ProviderRefundsAsync(trade.TradeId)).ShouldBe([$"{trade.TradeId}-1:succeeded"]);
        await _rig.VerifyAsync(nameof(A_refund_taken_whose_answer_is_lost_is_asked_again_under_its_key_and_paid_once));
    }

    [Fact]
    public async Task A_refund_confirmed_late_keeps_its_line_refunding_until_the_provider_pays_it()
    {
        var trade = await CheckoutWithAFailingLineAndARefundFaultAsync("late", "refund.late", count: 1, delayMs: 2000);

        await _rig.Shop.PayAsync(trade.TradeId);
        var waiting = await _rig.Shop.WaitForAsync(trade.TradeId, Within, "refunding");
        var pending = await _rig.Checker().CheckAsync();
        var settled = await _rig.Shop.WaitForAsync(trade.TradeId, Within, "partially_refunded");

        waiting.Lines[0].Status.ShouldBe("refunding");
        waiting.RefundedAmount.ShouldBe("0.00");
        pending.Violations.ShouldBeEmpty();
        pending.PendingRefunds.ShouldContain(p => p.StartsWith($"{trade.TradeId}-1:", StringComparison.Ordinal));
        settled.Lines[0].Status.ShouldBe("refunded");
        settled.RefundedAmount.ShouldBe("3.00");
        await _rig.VerifyAsync(nameof(A_refund_confirmed_late_keeps_its_line_refunding_until_the_provider_pays_it));
    }

    [Fact]
    public async Task A_refund_not_confirmed_by_its_deadline_goes_to_a_person_and_ops_settle_it_once_the_provider_has_paid()
    {
        var trade = await CheckoutWithAFailingLineAndARefundFaultAsync("late", "refund.late_past_deadline", count: 1, delayMs: 12000);

        await _rig.Shop.PayAsync(trade.TradeId);
        var escalated = await _rig.Shop.WaitForAsync(trade.TradeId, Within, "needs_attention");
        var detail = await _rig.Shop.DetailAsync(trade.TradeId);
        var whileEscalated = await _rig.VerifyAsync($"{nameof(A_refund_not_confirmed_by_its_deadline_goes_to_a_person_and_ops_settle_it_once_the_provider_has_paid)}(escalated)");
        await Eventually.HoldsAsync(async () => (await ProviderRefundsAsync(trade.TradeId)).SequenceEqual([$"{trade.TradeId}-1:succeeded"]),
            Within, "the provider paid the late refund");
        await _rig.Shop.OpsRefundAsync(trade.TradeId, 1);
        var settled = await _rig.Shop.WaitForAsync(trade.TradeId, Within, "partially_refunded");

        escalated.Lines[0].Status.ShouldBe("needs_attention");
        detail.Timeline.ShouldContain(e => e.Summary == "refund of line 1 not confirmed in time");
        detail.Refunds.ShouldHaveSingleItem().Status.ShouldBe("requested");
        whileEscalated.PendingRefunds.ShouldContain(p => p.StartsWith($"{trade.TradeId}-1:", StringComparison.Ordinal));
        settled.Lines[0].Status.ShouldBe("refunded");
        settled.RefundedAmount.ShouldBe("3.00");
        (await ProviderRefundsAsync(trade.TradeId)).ShouldBe([$"{trade.TradeId}-1:succeeded"]);
        await _rig.VerifyAsync(nameof(A_refund_not_confirmed_by_its_deadline_goes_to_a_person_and_ops_settle_it_once_the_provider_has_paid));
    }

    // Two items at 3.00 on a machine whose first dispense fails (line 1 is owed a refund, line 2 is dispensed), and the
    // sandbox scripted to fault that trade's refunds.
    private async Task<TradeResponse> CheckoutWithAFailingLineAndARefundFaultAsync(string mode, string figure, int? count = null, int? delayMs = null)
    {
        var machine = await _rig.Simulator.CreateMachineAsync(products: 1, price: "3.00");
        await _rig.Simulator.FailNextDispensesAsync(machine.MachineNo, 1);
        var trade = await _rig.Shop.CheckoutOkAsync(machine.MachineNo, (machine.Products[0].ProductId, 2));
        await _rig.Shop.SandboxRefundFaultAsync(mode, trade.TradeId, count, delayMs);
        Figures.Fault(figure, count ?? 1);
        return trade;
    }

    // The provider's books for the trade, as "key:status" (a late refund counts as paid once its time has come).
    private async Task<IReadOnlyList<string>> ProviderRefundsAsync(string tradeId)
    {
        var book = (await new SandboxBooks(_rig.ConnectionString).ReadAsync()).GetValueOrDefault(tradeId);
        return book?.Refunds.Select(r => $"{r.RefundKey}:{r.State.ToString().ToLowerInvariant()}").ToList() ?? [];
    }
}
