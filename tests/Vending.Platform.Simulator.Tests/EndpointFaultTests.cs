using System.Diagnostics;
using System.Net;
using Vending.Platform.Simulator.Tests.Infrastructure;

namespace Vending.Platform.Simulator.Tests;

public sealed class EndpointFaultTests(SimulatorFixture fixture) : IClassFixture<SimulatorFixture>
{
    [Fact]
    public async Task Error500_answers_500_without_executing_the_call()
    {
        var machine = await fixture.Control.CreateMachineAsync();
        await fixture.Control.PostAsync("/_sim/endpoint-faults", new
        {
            endpoint = "orders.create", machine_no = machine.MachineNo, mode = "error500", count = 1,
        });
        var tradeId = SimulatorFixture.NewTradeId();

        var failed = await CreateOrderAsync(machine.MachineNo, tradeId, machine.ProductId(0));
        var retried = await CreateOrderAsync(machine.MachineNo, tradeId, machine.ProductId(0));

        failed.Status.ShouldBe(HttpStatusCode.InternalServerError);
        retried.IsOk.ShouldBeTrue(retried.Raw);
        (await fixture.Control.StockAsync(machine.MachineNo, machine.ProductId(0))).ShouldBe(4);
    }

    [Fact]
    public async Task Error500_after_executes_the_call_then_answers_500()
    {
        var machine = await fixture.Control.CreateMachineAsync();
        await fixture.Control.PostAsync("/_sim/endpoint-faults", new
        {
            endpoint = "orders.create", machine_no = machine.MachineNo, mode = "error500_after", count = 1,
        });
        var tradeId = SimulatorFixture.NewTradeId();

        var failed = await CreateOrderAsync(machine.MachineNo, tradeId, machine.ProductId(0));
        var retried = await CreateOrderAsync(machine.MachineNo, tradeId, machine.ProductId(0));

        failed.Status.ShouldBe(HttpStatusCode.InternalServerError);
        retried.Code.ShouldBe(6040);
        (await fixture.Control.GetAsync($"/_sim/orders?trade_id={tradeId}")).GetArrayLength().ShouldBe(1);
    }

    [Fact]
    public async Task Hang_closes_the_connection_after_the_delay_without_executing()
    {
        var machine = await fixture.Control.CreateMachineAsync();
        var (orderId, records) = await fixture.CreatePaidOrderAsync(machine.MachineNo, "hang", (machine.ProductId(0), 1));
        await fixture.Control.PostAsync("/_sim/endpoint-faults", new
        {
            endpoint = "deliveries", machine_no = machine.MachineNo, mode = "hang", count = 1, delay_ms = 300,
        });

        await Should.ThrowAsync<HttpRequestException>(() => fixture.DispenseAsync(machine.MachineNo, orderId, records[0]));

        (await fixture.Control.CommandsAsync(machine.MachineNo)).GetProperty("commands").GetArrayLength().ShouldBe(0);
        (await fixture.DispenseAsync(machine.MachineNo, orderId, records[0])).IsOk.ShouldBeTrue();
    }

    [Fact]
    public async Task Slow_answers_normally_after_the_delay()
    {
        var machine = await fixture.Control.CreateMachineAsync();
        await fixture.Control.PostAsync("/_sim/endpoint-faults", new
        {
            endpoint = "products", machine_no = machine.MachineNo, mode = "slow", count = 1, delay_ms = 400,
        });
        var watch = Stopwatch.StartNew();

        var reply = await fixture.Platform.PostAsync("/products", new() { ["machine_no"] = machine.MachineNo });

        watch.Elapsed.ShouldBeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(380));
        reply.IsOk.ShouldBeTrue(reply.Raw);
    }

    [Fact]
    public async Task An_endpoint_fault_scoped_to_a_machine_spares_other_machines_until_cleared()
    {
        var faulty = await fixture.Control.CreateMachineAsync();
        var healthy = await fixture.Control.CreateMachineAsync();
        await fixture.Control.PostAsync("/_sim/endpoint-faults", new
        {
            endpoint = "categories", machine_no = faulty.MachineNo, mode = "error500", count = 100,
        });

        var spared = await fixture.Platform.PostAsync("/categories", new() { ["machine_no"] = healthy.MachineNo });
        var hit = await fixture.Platform.PostAsync("/categories", new() { ["machine_no"] = faulty.MachineNo });
        await fixture.Control.SendAsync(HttpMethod.Delete, $"/_sim/faults?machine_no={faulty.MachineNo}");
        var cleared = await fixture.Platform.PostAsync("/categories", new() { ["machine_no"] = faulty.MachineNo });

        spared.IsOk.ShouldBeTrue();
        hit.Status.ShouldBe(HttpStatusCode.InternalServerError);
        cleared.IsOk.ShouldBeTrue();
    }

    [Fact]
    public async Task An_unknown_endpoint_name_is_rejected()
    {
        using var response = await fixture.Platform.Http.PostAsync(
            "/_sim/endpoint-faults",
            System.Net.Http.Json.JsonContent.Create(new { endpoint = "nope", mode = "error500", count = 1 }));

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    private Task<PlatformReply> CreateOrderAsync(string machineNo, string tradeId, long productId) =>
        fixture.Platform.PostJsonAsync("/orders", new
        {
            machine_no = machineNo,
            notify_url = fixture.Receiver.UrlFor("faults"),
            trade_id = tradeId,
            products = new[] { new { product_id = productId, quantity = 1 } },
        });
}
