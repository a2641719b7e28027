using Merchant.Reliability.Tests.Infrastructure;

namespace Merchant.Reliability.Tests.Faults;

/// <summary>Step "callback": dropped, duplicated, delayed past the poll, and reordered results each take effect exactly once.</summary>
[Collection("faults-b")]
public sealed class CallbackFaultTests : IAsyncLifetime
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(45);
    private Rig _rig = null!;

    public async Task InitializeAsync() => _rig = await Rig.StartAsync(databasePrefix: "f_callback");

    public async Task DisposeAsync() => await _rig.DisposeAsync();

    [Theory]
    [InlineData("drop", null)]
    [InlineData("duplicate", null)]
    [InlineData("delay", 5000)]
    [InlineData("reorder", 1500)]
    public async Task Every_result_takes_effect_once_whatever_happens_to_its_callback(string mode, int? delayMs)
    {
        var machine = await _rig.Simulator.CreateMachineAsync(products: 2, price: "2.00");
        // Line 1 fails, lines 2 and 3 are dispensed: a failure and successes all travel through the faulty callbacks.
        await _rig.Simulator.FailNextDispensesAsync(machine.MachineNo, 1, reason: "Goods are Stuck");
        var trade = await _rig.Shop.CheckoutOkAsync(machine.MachineNo, (machine.Products[0].ProductId, 2), (machine.Products[1].ProductId, 1));
        await _rig.Simulator.CallbackFaultAsync(machine.MachineNo, mode, mode == "reorder" ? 2 : 3, delayMs);
        Figures.Fault($"callback.{mode}", 3);

        await _rig.Shop.PayAsync(trade.TradeId);
        var done = await _rig.Shop.WaitForAsync(trade.TradeId, Within, "partially_refunded");
        await _rig.Simulator.WaitForCallbacksAsync(machine.MachineNo, 3, Within);
        var detail = await _rig.Shop.DetailAsync(trade.TradeId);

        done.Lines.Select(l => l.Status).ShouldBe(["refunded", "dispensed", "dispensed"]);
        done.RefundedAmount.ShouldBe("2.00");
        detail.Refunds.ShouldHaveSingleItem().Status.ShouldBe("succeeded");
        (await _rig.Simulator.CommandsAsync(machine.MachineNo)).Commands.Count.ShouldBe(3);
        await _rig.VerifyAsync($"{nameof(Every_result_takes_effect_once_whatever_happens_to_its_callback)}({mode})");
    }

    [Fact]
    public async Task A_callback_arriving_after_the_poll_settled_its_line_changes_nothing()
    {
        var machine = await _rig.Simulator.CreateMachineAsync(products: 1);
        await _rig.Simulator.FailNextDispensesAsync(machine.MachineNo, 1);
        var trade = await _rig.Shop.CheckoutOkAsync(machine.MachineNo, (machine.Products[0].ProductId, 1));
        await _rig.Simulator.CallbackFaultAsync(machine.MachineNo, "delay", 1, delayMs: 6000);
        Figures.Fault("callback.delay");

        await _rig.Shop.PayAsync(trade.TradeId);
        var settledByPoll = await _rig.Shop.WaitForAsync(trade.TradeId, Within, "refunded");
        await _rig.Simulator.WaitForCallbacksAsync(machine.MachineNo, 1, Within);
        var detail = await _rig.Shop.DetailAsync(trade.TradeId);

        settledByPoll.RefundedAmount.ShouldBe("1.00");
        detail.Refunds.ShouldHaveSingleItem();
        detail.Timeline.ShouldContain(e => e.Kind == "callback");
        await _rig.VerifyAsync(nameof(A_callback_arriving_after_the_poll_settled_its_line_changes_nothing));
    }
}
