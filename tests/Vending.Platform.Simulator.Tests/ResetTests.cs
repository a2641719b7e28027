using Vending.Platform.Simulator.Tests.Infrastructure;

namespace Vending.Platform.Simulator.Tests;

public sealed class ResetTests(SimulatorFixture fixture) : IClassFixture<SimulatorFixture>
{
    [Fact]
    public async Task Reset_clears_orders_and_machines_and_reseeds_the_merchant()
    {
        var machine = await fixture.Control.CreateMachineAsync();
        var orderId = await fixture.CreateOrderAsync("16327129", "reset", (1323442, 2));

        await fixture.Control.PostAsync("/_sim/reset", new { });

        var state = await fixture.Control.GetAsync("/_sim/state");
        state.GetProperty("machines").GetInt32().ShouldBe(6);
        state.GetProperty("orders").EnumerateObject().ShouldBeEmpty();
        (await fixture.Control.StockAsync("16327129", 1323442)).ShouldBe(8);
        using var gone = await fixture.Platform.Http.GetAsync($"/_sim/machines/{machine.MachineNo}");
        gone.StatusCode.ShouldBe(System.Net.HttpStatusCode.NotFound);
        using var orderGone = await fixture.Platform.Http.GetAsync($"/_sim/orders/{orderId}");
        orderGone.StatusCode.ShouldBe(System.Net.HttpStatusCode.NotFound);
    }
}
