using Merchant.Testing;

namespace Merchant.Api.Tests;

public sealed class LifecycleTests : IAsyncLifetime
{
    private Stack _stack = null!;

    public async Task InitializeAsync() => _stack = await Stack.StartAsync();

    public async Task DisposeAsync() => await _stack.DisposeAsync();

    [Fact]
    public async Task A_paid_multi_item_trade_dispenses_every_line_exactly_once_and_completes()
    {
        var machine = await _stack.Simulator.CreateMachineAsync(products: 2);
        var (cola, chips) = (machine.Products[0].ProductId, machine.Products[1].ProductId);

        var trade = await _stack.CheckoutOkAsync(machine.MachineNo, (cola, 2), (chips, 1));
        await _stack.PayAsync(trade.TradeId);
        var done = await _stack.WaitForAsync(trade.TradeId, TimeSpan.FromSeconds(30), "completed");

        trade.Status.ShouldBe("awaiting_payment");
        trade.Amount.ShouldBe("3.00");
        trade.Lines.Count.ShouldBe(3);
        done.Lines.ShouldAllBe(l => l.Status == "dispensed");
        done.RefundedAmount.ShouldBe("0.00");
        var log = await _stack.Simulator.CommandsAsync(machine.MachineNo);
        log.Commands.Select(c => c.RecordId).OrderBy(r => r).ShouldBe(log.Commands.Select(c => c.RecordId).Distinct().OrderBy(r => r));
        log.Commands.Count.ShouldBe(3);
        log.Commands.ShouldAllBe(c => c.TradeId == trade.TradeId && c.Outcome == "success");
    }
}
