using System.Diagnostics;

namespace Vending.Platform.Tests.Integration;

// Request counts are per simulator and these tests run one at a time within the class, so before/after differences are exact.
public sealed class ResilienceIntegrationTests(SimulatorHost sim) : IClassFixture<SimulatorHost>
{
    [Fact]
    public async Task A_query_order_is_retried_after_a_server_error_and_succeeds()
    {
        var machine = await sim.Control.CreateMachineAsync();
        var orderId = await CreateOrderAsync(machine);
        await sim.Control.AddEndpointFaultAsync("orders.query", "error500", machine.MachineNo);
        var before = await sim.Control.RequestCountAsync("orders.query");

        var order = await sim.Platform.GetOrderAsync(new QueryOrderRequest(machine.MachineNo, orderId));

        order.OrderId.ShouldBe(orderId);
        order.Status.ShouldBe(PlatformOrderStatus.NotPay);
        (await sim.Control.RequestCountAsync("orders.query")).ShouldBe(before + 2);
        (await sim.Control.FaultsAsync()).GetProperty("endpoint").EnumerateArray()
            .ShouldNotContain(fault => fault.GetProperty("machine_no").GetString() == machine.MachineNo);
    }

    [Fact]
    public async Task Create_order_on_a_server_error_is_not_retried_and_its_outcome_is_unknown()
    {
        var machine = await sim.Control.CreateMachineAsync();
        await sim.Control.AddEndpointFaultAsync("orders.create", "error500", machine.MachineNo);
        var before = await sim.Control.RequestCountAsync("orders.create");

        var error = await Should.ThrowAsync<PlatformException>(() => CreateOrderAsync(machine));

        error.Category.ShouldBe(PlatformErrorCategory.Transient);
        error.OutcomeUnknown.ShouldBeTrue();
        error.HttpStatus.ShouldBe(500);
        (await sim.Control.RequestCountAsync("orders.create")).ShouldBe(before + 1);
        (await sim.Control.OrdersAsync(machine.MachineNo)).GetArrayLength().ShouldBe(0);
    }

    [Fact]
    public async Task A_hanging_query_times_out_on_every_attempt_and_its_outcome_is_unknown()
    {
        var machine = await sim.Control.CreateMachineAsync();
        var orderId = await CreateOrderAsync(machine);
        await sim.Control.AddEndpointFaultAsync("orders.query", "hang", machine.MachineNo, count: 3, delayMs: 15_000);
        var before = await sim.Control.RequestCountAsync("orders.query");
        var clock = Stopwatch.StartNew();

        var error = await Should.ThrowAsync<PlatformException>(
            () => sim.Platform.GetOrderAsync(new QueryOrderRequest(machine.MachineNo, orderId)));

        clock.Elapsed.ShouldBeGreaterThanOrEqualTo(SimulatorHost.ClientTimeout * 3);
        clock.Elapsed.ShouldBeLessThan((SimulatorHost.ClientTimeout * 3) + TimeSpan.FromSeconds(4));
        error.Category.ShouldBe(PlatformErrorCategory.Transient);
        error.OutcomeUnknown.ShouldBeTrue();
        error.HttpStatus.ShouldBeNull();
        (await sim.Control.RequestCountAsync("orders.query")).ShouldBe(before + 3);
    }

    [Fact]
    public async Task A_dispense_that_ran_before_a_server_error_is_not_repeated_and_its_outcome_is_unknown()
    {
        var machine = await sim.Control.CreateMachineAsync();
        var orderId = await CreateOrderAsync(machine);
        await sim.Platform.UpdateOrderAsync(new UpdateOrderRequest(machine.MachineNo, orderId, OrderUpdateStatus.Paid));
        var recordId = (await sim.Platform.GetOrderAsync(new QueryOrderRequest(machine.MachineNo, orderId))).Records[0].RecordId;
        await sim.Control.AddEndpointFaultAsync("deliveries", "error500_after", machine.MachineNo);
        var before = await sim.Control.RequestCountAsync("deliveries");

        var error = await Should.ThrowAsync<PlatformException>(
            () => sim.Platform.DispenseAsync(new DispenseRequest(machine.MachineNo, orderId, recordId)));

        error.Category.ShouldBe(PlatformErrorCategory.Transient);
        error.OutcomeUnknown.ShouldBeTrue();
        (await sim.Control.RequestCountAsync("deliveries")).ShouldBe(before + 1);
        var command = (await sim.Control.CommandsAsync(machine.MachineNo)).GetProperty("commands").EnumerateArray().ShouldHaveSingleItem();
        command.GetProperty("order_id").GetInt64().ShouldBe(orderId);
        command.GetProperty("record_id").GetInt64().ShouldBe(recordId);
    }

    private async Task<long> CreateOrderAsync(SimMachine machine)
    {
        var created = await sim.Platform.CreateOrderAsync(
            new CreateOrderRequest(machine.MachineNo, sim.NotifyUrl, SimControl.NewTradeId(), [new OrderProduct(machine.ProductIds[0], 1)]));
        return created.OrderId;
    }
}
