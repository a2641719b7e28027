using System.Text.Json;

namespace Vending.Platform.Tests.Integration;

public sealed class DispenseIntegrationTests(SimulatorHost sim) : IClassFixture<SimulatorHost>
{
    [Fact]
    public async Task Dispensing_a_paid_record_is_accepted_and_its_query_reports_the_result()
    {
        var machine = await sim.Control.CreateMachineAsync();
        var (orderId, records) = await CreatePaidOrderAsync(machine, machine.ProductIds[0]);

        var accepted = await sim.Platform.DispenseAsync(new DispenseRequest(machine.MachineNo, orderId, records[0]));

        accepted.DeliveryId.ShouldNotBeNullOrWhiteSpace();
        accepted.Status.ShouldBe("delivering");
        accepted.DeliveredAt.ShouldMatch(@"^\d{10}$");
        var query = new QueryDispenseRequest(machine.MachineNo, accepted.DeliveryId);
        DispenseResult? finished = null;
        await SimControl.EventuallyAsync(
            async () => (finished = await sim.Platform.GetDispenseAsync(query)).Status != "delivering",
            "the device to report");
        finished!.DeliveryId.ShouldBe(accepted.DeliveryId);
        finished.Status.ShouldBe("success");
        finished.PickupAt.ShouldMatch(@"^\d{10}$");
        finished.FailReason.ShouldBeEmpty();
        var order = await sim.Platform.GetOrderAsync(new QueryOrderRequest(machine.MachineNo, orderId));
        order.Records.ShouldHaveSingleItem().Status.ShouldBe(RecordStatus.IsSuccess);
    }

    [Fact]
    public async Task Dispensing_a_pickup_code_order_needs_no_payment()
    {
        var machine = await sim.Control.CreateMachineAsync(pickupCodes: true);
        var cola = machine.ProductIds[0];
        var code = (await sim.Platform.GeneratePickupCodesAsync(new GeneratePickupCodesRequest(machine.MachineNo, cola)))[0];
        var order = await sim.Platform.ConsumePickupCodeAsync(
            new ConsumePickupCodeRequest(machine.MachineNo, code.Code, cola, sim.NotifyUrl, SimControl.NewTradeId()));

        var accepted = await sim.Platform.DispenseAsync(new DispenseRequest(machine.MachineNo, order.OrderId, order.Records[0].RecordId));

        accepted.DeliveryId.ShouldNotBeNullOrWhiteSpace();
        var commands = await sim.Control.CommandsAsync(machine.MachineNo);
        commands.GetProperty("commands").EnumerateArray().Single().GetProperty("order_id").GetInt64().ShouldBe(order.OrderId);
    }

    [Fact]
    public async Task Querying_an_unknown_delivery_is_not_found()
    {
        var machine = await sim.Control.CreateMachineAsync();

        var error = await Should.ThrowAsync<PlatformException>(
            () => sim.Platform.GetDispenseAsync(new QueryDispenseRequest(machine.MachineNo, "999999999")));

        error.Category.ShouldBe(PlatformErrorCategory.NotFound);
        error.Code.ShouldBe(404);
    }

    [Fact]
    public async Task Dispensing_an_unpaid_order_is_order_unpaid_although_the_platform_answers_code_0()
    {
        var machine = await sim.Control.CreateMachineAsync();
        var created = await sim.Platform.CreateOrderAsync(
            new CreateOrderRequest(machine.MachineNo, sim.NotifyUrl, SimControl.NewTradeId(), [new OrderProduct(machine.ProductIds[0], 1)]));
        var order = await sim.Platform.GetOrderAsync(new QueryOrderRequest(machine.MachineNo, created.OrderId));

        var error = await Should.ThrowAsync<PlatformException>(
            () => sim.Platform.DispenseAsync(new DispenseRequest(machine.MachineNo, created.OrderId, order.Records[0].RecordId)));

        error.Category.ShouldBe(PlatformErrorCategory.OrderUnpaid);
        error.Code.ShouldBe(0);
        error.PlatformMessage.ShouldBe("订单未支付");
        error.OutcomeUnknown.ShouldBeFalse();
        (await sim.Control.CommandsAsync(machine.MachineNo)).GetProperty("commands").GetArrayLength().ShouldBe(0);
    }

    [Fact]
    public async Task Dispensing_the_same_record_twice_is_order_status_invalid()
    {
        var machine = await sim.Control.CreateMachineAsync();
        var (orderId, records) = await CreatePaidOrderAsync(machine, machine.ProductIds[0]);
        var dispense = new DispenseRequest(machine.MachineNo, orderId, records[0]);
        await sim.Platform.DispenseAsync(dispense);

        var error = await Should.ThrowAsync<PlatformException>(() => sim.Platform.DispenseAsync(dispense));

        error.Category.ShouldBe(PlatformErrorCategory.OrderStatusInvalid);
        error.Code.ShouldBe(40006);
        (await sim.Control.CommandsAsync(machine.MachineNo)).GetProperty("commands").GetArrayLength().ShouldBe(1);
    }

    [Fact]
    public async Task Dispensing_while_the_machine_runs_another_command_is_machine_busy()
    {
        var machine = await sim.Control.CreateMachineAsync(resultDelayMs: 10_000);
        var (orderId, records) = await CreatePaidOrderAsync(machine, machine.ProductIds[0], machine.ProductIds[1]);
        await sim.Platform.DispenseAsync(new DispenseRequest(machine.MachineNo, orderId, records[0]));

        var error = await Should.ThrowAsync<PlatformException>(
            () => sim.Platform.DispenseAsync(new DispenseRequest(machine.MachineNo, orderId, records[1])));

        error.Category.ShouldBe(PlatformErrorCategory.MachineBusy);
        error.Code.ShouldBe(30005);
        var refused = (await sim.Control.CommandsAsync(machine.MachineNo)).GetProperty("refused").EnumerateArray().Single();
        refused.GetProperty("record_id").GetString().ShouldBe(records[1].ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Debug_dispensing_a_product_drops_one_item_as_a_test_order()
    {
        var machine = await sim.Control.CreateMachineAsync();
        var cola = machine.ProductIds[0];

        var accepted = await sim.Platform.DebugDispenseAsync(new DebugDispenseRequest(machine.MachineNo) { ProductId = cola });

        accepted.DeliveryId.ShouldNotBeNullOrWhiteSpace();
        var command = (await sim.Control.CommandsAsync(machine.MachineNo)).GetProperty("commands").EnumerateArray().Single();
        command.GetProperty("debug").GetBoolean().ShouldBeTrue();
        accepted.OrderId.ShouldBe(command.GetProperty("order_id").GetInt64());
        accepted.RecordId.ShouldBe(command.GetProperty("record_id").GetInt64());
        command.GetProperty("delivery_id").GetString().ShouldBe(accepted.DeliveryId);
        await SimControl.EventuallyAsync(
            async () => await sim.Control.StockAsync(machine.MachineNo, cola) == 4,
            "the test dispense to take one cola");
    }

    [Fact]
    public async Task Debug_dispensing_passes_slot_fields_through()
    {
        var machine = await sim.Control.CreateMachineAsync();

        var accepted = await sim.Platform.DebugDispenseAsync(
            new DebugDispenseRequest(machine.MachineNo) { SlotFields = new Dictionary<string, string> { ["channel"] = "A12" } });

        var command = (await sim.Control.CommandsAsync(machine.MachineNo)).GetProperty("commands").EnumerateArray().Single();
        command.GetProperty("delivery_id").GetString().ShouldBe(accepted.DeliveryId);
        var order = await sim.Control.OrderAsync(command.GetProperty("order_id").GetInt64());
        order.GetProperty("status").GetString().ShouldBe("TESTPAY");
        order.GetProperty("records")[0].GetProperty("product_id").GetInt64().ShouldBe(machine.ProductIds[1]);
    }

    [Fact]
    public async Task Failure_callbacks_parse_whichever_name_carries_the_failure_text()
    {
        var machine = await sim.Control.CreateMachineAsync();
        var (orderId, records) = await CreatePaidOrderAsync(machine, machine.ProductIds[0], machine.ProductIds[1]);
        await sim.Control.AddDispenseFaultAsync(machine.MachineNo, "Goods are Stuck", count: 2);

        foreach (var recordId in records)
        {
            await sim.Platform.DispenseAsync(new DispenseRequest(machine.MachineNo, orderId, recordId));
            await SimControl.EventuallyAsync(
                async () => (await sim.Control.CallbacksAsync(orderId)).EnumerateArray()
                    .Any(c => c.GetProperty("record_id").GetInt64() == recordId && !c.GetProperty("pending").GetBoolean()),
                $"the callback of record {recordId}");
        }

        var bodies = (await sim.Control.CallbacksAsync(orderId)).EnumerateArray().Select(c => c.GetProperty("body")).ToList();
        bodies.Select(FailureField).Order().ShouldBe(["error_msg", "fail_reason"]);
        foreach (var body in bodies)
        {
            DispenseCallback.TryParse(body.GetRawText(), out var callback).ShouldBeTrue(body.GetRawText());
            callback.OrderId.ShouldBe(orderId);
            callback.Delivered.ShouldBeFalse();
            callback.FloorStatus.ShouldBe(2);
            callback.FailReason.ShouldBe("Goods are Stuck");
        }

        var order = await sim.Platform.GetOrderAsync(new QueryOrderRequest(machine.MachineNo, orderId));
        order.Records.ShouldAllBe(r => r.Status == RecordStatus.IsFailed);
    }

    private static string FailureField(JsonElement body) =>
        body.TryGetProperty("error_msg", out _) ? "error_msg" : body.TryGetProperty("fail_reason", out _) ? "fail_reason" : "none";

    private async Task<(long OrderId, long[] RecordIds)> CreatePaidOrderAsync(SimMachine machine, params long[] productIds)
    {
        var created = await sim.Platform.CreateOrderAsync(new CreateOrderRequest(
            machine.MachineNo, sim.NotifyUrl, SimControl.NewTradeId(), [.. productIds.Select(id => new OrderProduct(id, 1))]));
        await sim.Platform.UpdateOrderAsync(new UpdateOrderRequest(machine.MachineNo, created.OrderId, OrderUpdateStatus.Paid));
        var order = await sim.Platform.GetOrderAsync(new QueryOrderRequest(machine.MachineNo, created.OrderId));
        return (created.OrderId, [.. order.Records.Select(r => r.RecordId)]);
    }
}
