namespace Vending.Platform.Tests.Integration;

// The simulator clock is global, so the class that moves it keeps a simulator to itself.
public sealed class OrderExpiryIntegrationTests(SimulatorHost sim) : IClassFixture<SimulatorHost>
{
    [Fact]
    public async Task Paying_an_order_left_unpaid_for_20_minutes_is_order_expired()
    {
        var machine = await sim.Control.CreateMachineAsync();
        var cola = machine.ProductIds[0];
        var created = await sim.Platform.CreateOrderAsync(
            new CreateOrderRequest(machine.MachineNo, sim.NotifyUrl, SimControl.NewTradeId(), [new OrderProduct(cola, 2)]));
        await sim.Control.AdvanceClockAsync(1300);

        var error = await Should.ThrowAsync<PlatformException>(
            () => sim.Platform.UpdateOrderAsync(new UpdateOrderRequest(machine.MachineNo, created.OrderId, OrderUpdateStatus.Paid)));

        error.Category.ShouldBe(PlatformErrorCategory.OrderExpired);
        error.Code.ShouldBe(40005);
        (await sim.Platform.GetOrderAsync(new QueryOrderRequest(machine.MachineNo, created.OrderId))).Status.ShouldBe(PlatformOrderStatus.Closed);
        (await sim.Control.StockAsync(machine.MachineNo, cola)).ShouldBe(5);
    }
}
