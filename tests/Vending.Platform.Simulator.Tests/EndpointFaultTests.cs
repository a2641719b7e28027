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

    [Theory]
    [InlineData("error500")]
    [InlineData("hang")]
    public async Task A_dispense_a_fault_stopped_before_it_ran_is_logged_as_a_refused_attempt_naming_the_fault(string mode)
    {
        var (machineNo, orderId, recordId) = await PaidRecordWithADispenseFaultAsync(mode);

        await DispenseLosingTheAnswerAsync(machineNo, orderId, recordId);

        var log = await fixture.Control.CommandsAsync(machineNo);
        log.GetProperty("commands").GetArrayLength().ShouldBe(0);
        var refused = log.GetProperty("refused").EnumerateArray().ShouldHaveSingleItem();
        refused.GetProperty("reason").GetString().ShouldBe("fault");
        refused.GetProperty("fault").GetString().ShouldBe(mode);
        refused.GetProperty("record_id").GetString().ShouldBe(recordId.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("hang_after")]
    [InlineData("drop_after")]
    public async Task A_call_that_executes_then_loses_its_answer_takes_effect_and_the_client_gets_none(string mode)
    {
        var machine = await fixture.Control.CreateMachineAsync();
        await fixture.Control.PostAsync("/_sim/endpoint-faults", new
        {
            endpoint = "orders.create", machine_no = machine.MachineNo, mode, count = 1, delay_ms = 300,
        });
        var tradeId = SimulatorFixture.NewTradeId();

        await Should.ThrowAsync<HttpRequestException>(() => CreateOrderAsync(machine.MachineNo, tradeId, machine.ProductId(0)));
        var retried = await CreateOrderAsync(machine.MachineNo, tradeId, machine.ProductId(0));

        retried.Code.ShouldBe(6040);
        (await fixture.Control.GetAsync($"/_sim/orders?trade_id={tradeId}")).GetArrayLength().ShouldBe(1);
        (await fixture.Control.StockAsync(machine.MachineNo, machine.ProductId(0))).ShouldBe(4);
    }

    [Theory]
    [InlineData("hang_after")]
    [InlineData("drop_after")]
    [InlineData("error500_after")]
    public async Task A_dispense_that_ran_but_lost_its_answer_is_a_command_naming_the_fault(string mode)
    {
        var (machineNo, orderId, recordId) = await PaidRecordWithADispenseFaultAsync(mode);

        await DispenseLosingTheAnswerAsync(machineNo, orderId, recordId);

        var log = await fixture.Control.CommandsAsync(machineNo);
        log.GetProperty("refused").GetArrayLength().ShouldBe(0);
        var command = log.GetProperty("commands").EnumerateArray().ShouldHaveSingleItem();
        command.GetProperty("fault").GetString().ShouldBe(mode);
        command.GetProperty("record_id").GetInt64().ShouldBe(recordId);
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

    // A paid order's record on a machine of its own, whose next dispense meets the fault.
    private async Task<(string MachineNo, long OrderId, long RecordId)> PaidRecordWithADispenseFaultAsync(string mode)
    {
        var machine = await fixture.Control.CreateMachineAsync();
        var (orderId, records) = await fixture.CreatePaidOrderAsync(machine.MachineNo, $"dispense-{mode}", (machine.ProductId(0), 1));
        await fixture.Control.PostAsync("/_sim/endpoint-faults", new
        {
            endpoint = "deliveries", machine_no = machine.MachineNo, mode, count = 1, delay_ms = 300,
        });
        return (machine.MachineNo, orderId, records[0]);
    }

    // The fault either answers a failure or closes the connection without an answer; never "ok".
    private async Task DispenseLosingTheAnswerAsync(string machineNo, long orderId, long recordId)
    {
        try
        {
            (await fixture.DispenseAsync(machineNo, orderId, recordId)).IsOk.ShouldBeFalse();
        }
        catch (HttpRequestException)
        {
            // Closed without an answer.
        }
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
