using Vending.Platform.Simulator.Tests.Infrastructure;

namespace Vending.Platform.Simulator.Tests;

public sealed class OrderExpiryTests(SimulatorFixture fixture) : IClassFixture<SimulatorFixture>
{
    [Fact]
    public async Task Paying_after_twenty_minutes_answers_40005()
    {
        var machine = await fixture.Control.CreateMachineAsync();
        var orderId = await fixture.CreateOrderAsync(machine.MachineNo, "expiry", (machine.ProductId(0), 1));
        await fixture.Control.AdvanceClockAsync(20 * 60 + 1);

        var reply = await fixture.Platform.PutAsync($"/orders/{orderId}", new() { ["machine_no"] = machine.MachineNo, ["status"] = 1 });

        reply.Code.ShouldBe(40005);
        reply.Message.ShouldBe("order expired");
    }

    [Fact]
    public async Task Paying_just_before_twenty_minutes_succeeds()
    {
        var machine = await fixture.Control.CreateMachineAsync();
        var orderId = await fixture.CreateOrderAsync(machine.MachineNo, "expiry", (machine.ProductId(0), 1));
        await fixture.Control.AdvanceClockAsync(19 * 60);

        var reply = await fixture.Platform.PutAsync($"/orders/{orderId}", new() { ["machine_no"] = machine.MachineNo, ["status"] = 1 });

        reply.IsOk.ShouldBeTrue(reply.Raw);
    }

    [Fact]
    public async Task The_sweeper_closes_an_unpaid_order_after_twenty_minutes_and_returns_its_stock()
    {
        var machine = await fixture.Control.CreateMachineAsync();
        var orderId = await fixture.CreateOrderAsync(machine.MachineNo, "expiry", (machine.ProductId(0), 2));

        fixture.Clock.Advance(TimeSpan.FromMinutes(21));

        await Wait.UntilAsync(() =>
        {
            lock (fixture.State.Gate)
            {
                return fixture.State.Orders[orderId].Status == "CLOSED";
            }
        });
        var order = await fixture.Platform.PostAsync($"/orders/{orderId}", new() { ["machine_no"] = machine.MachineNo });
        order.Data.GetProperty("status").GetString().ShouldBe("CLOSED");
        (await fixture.Control.StockAsync(machine.MachineNo, machine.ProductId(0))).ShouldBe(5);
        (await fixture.Control.OrderAsync(orderId)).GetProperty("expired_by_lifetime").GetBoolean().ShouldBeTrue();
    }

    [Fact]
    public async Task A_paid_order_is_not_invalidated_by_the_unpaid_lifetime()
    {
        var machine = await fixture.Control.CreateMachineAsync();
        var (orderId, records) = await fixture.CreatePaidOrderAsync(machine.MachineNo, "expiry", (machine.ProductId(0), 1));

        await fixture.Control.AdvanceClockAsync(30 * 60);
        var reply = await fixture.DispenseAsync(machine.MachineNo, orderId, records[0]);

        reply.IsOk.ShouldBeTrue(reply.Raw);
        (await fixture.Control.OrderAsync(orderId)).GetProperty("status").GetString().ShouldBe("SUCCESS");
    }
}
