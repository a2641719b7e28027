using Merchant.Reliability.Tests.Infrastructure;

namespace Merchant.Reliability.Tests.Faults;

/// <summary>Step "PUT paid" (PUT /orders/{id} status 1): retried or verified through query-order until the platform knows.</summary>
[Collection("faults-a")]
public sealed class ConfirmPaidFaultTests : IAsyncLifetime
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(40);
    private Rig _rig = null!;

    public async Task InitializeAsync() => _rig = await Rig.StartAsync(databasePrefix: "f_confirm");

    public async Task DisposeAsync() => await _rig.DisposeAsync();

    [Theory]
    [InlineData("error500", 2, null)]
    [InlineData("error500_after", 1, null)]
    [InlineData("hang_after", 1, 4000)]
    [InlineData("drop_after", 1, null)]
    [InlineData("hang", 2, 4000)]
    [InlineData("slow", 2, 1000)]
    public async Task A_faulty_mark_paid_still_ends_with_every_item_dispensed_once(string mode, int count, int? delayMs)
    {
        var machine = await _rig.Simulator.CreateMachineAsync(products: 1);
        var trade = await _rig.Shop.CheckoutOkAsync(machine.MachineNo, (machine.Products[0].ProductId, 2));
        await _rig.Simulator.EndpointFaultAsync("orders.update", mode, count, machine.MachineNo, delayMs);
        Figures.Fault($"orders.update.{mode}", count);

        await _rig.Shop.PayAsync(trade.TradeId);
        var done = await _rig.Shop.WaitForAsync(trade.TradeId, Within, "completed");
        var order = await _rig.Simulator.OrderAsync(trade.PlatformOrderId!.Value);

        done.Lines.ShouldAllBe(l => l.Status == "dispensed");
        order.Status.ShouldBe("SUCCESS");
        (await _rig.Simulator.CommandsAsync(machine.MachineNo)).Commands.Count.ShouldBe(2);
        await _rig.VerifyAsync($"{nameof(A_faulty_mark_paid_still_ends_with_every_item_dispensed_once)}({mode})");
    }

    [Fact]
    public async Task Connection_refused_while_marking_paid_is_retried_until_the_platform_is_back()
    {
        var machine = await _rig.Simulator.CreateMachineAsync(products: 1);
        var trade = await _rig.Shop.CheckoutOkAsync(machine.MachineNo, (machine.Products[0].ProductId, 2));
        _rig.Gate.Close();
        Figures.Fault("orders.update.connection_refused");

        await _rig.Shop.PayAsync(trade.TradeId);
        await _rig.Shop.WaitForAsync(trade.TradeId, Within, "paid");
        await Eventually.HoldsAsync(async () => (await _rig.Shop.DetailAsync(trade.TradeId)).Jobs.Any(j => j.Kind == "confirm_paid" && j.Attempts >= 2),
            Within, "marking paid was tried twice");
        var whileRefused = await _rig.Shop.DetailAsync(trade.TradeId);
        _rig.Gate.Open();
        var done = await _rig.Shop.WaitForAsync(trade.TradeId, Within, "completed");

        whileRefused.Trade.Status.ShouldBe("paid");
        whileRefused.Jobs.ShouldContain(j => j.Kind == "confirm_paid" && j.Attempts >= 2 && j.LastError != null);
        done.Lines.ShouldAllBe(l => l.Status == "dispensed");
        await _rig.VerifyAsync(nameof(Connection_refused_while_marking_paid_is_retried_until_the_platform_is_back));
    }
}
