using System.Text.Json;
using Vending.Platform.Simulator.Tests.Infrastructure;

namespace Vending.Platform.Simulator.Tests;

public sealed class DispenseTests(SimulatorFixture fixture) : IClassFixture<SimulatorFixture>
{
    [Fact]
    public async Task Dispensing_an_unpaid_order_answers_code_0_with_order_unpaid()
    {
        var machine = await fixture.Control.CreateMachineAsync();
        var orderId = await fixture.CreateOrderAsync(machine.MachineNo, "unpaid", (machine.ProductId(0), 1));
        var order = await fixture.Platform.PostAsync($"/orders/{orderId}", new() { ["machine_no"] = machine.MachineNo });
        var recordId = order.Data.GetProperty("records")[0].GetProperty("id").GetInt64();

        var reply = await fixture.DispenseAsync(machine.MachineNo, orderId, recordId);

        reply.Code.ShouldBe(0);
        reply.Message.ShouldBe("订单未支付");
        reply.IsOk.ShouldBeFalse();
        var log = await fixture.Control.CommandsAsync(machine.MachineNo);
        log.GetProperty("commands").GetArrayLength().ShouldBe(0);
        log.GetProperty("refused")[0].GetProperty("message").GetString().ShouldBe("订单未支付");
    }

    [Fact]
    public async Task A_paid_record_is_dispensed_and_the_result_posted_to_notify_url()
    {
        var machine = await fixture.Control.CreateMachineAsync();
        var key = Guid.NewGuid().ToString("N");
        var (orderId, records) = await fixture.CreatePaidOrderAsync(machine.MachineNo, key, (machine.ProductId(0), 1));

        var reply = await fixture.DispenseAsync(machine.MachineNo, orderId, records[0]);

        reply.IsOk.ShouldBeTrue(reply.Raw);
        reply.Data.GetProperty("status").GetString().ShouldBe("delivering");
        reply.Data.GetProperty("delivery_id").ValueKind.ShouldBe(JsonValueKind.String);
        var callback = (await fixture.Receiver.WaitForAsync(key, 1)).Single().Body;
        callback.GetProperty("method").GetString().ShouldBe("device.delivery.response");
        callback.GetProperty("order_id").GetInt64().ShouldBe(orderId);
        callback.GetProperty("record_id").GetInt64().ShouldBe(records[0]);
        callback.GetProperty("deliver_status").GetString().ShouldBe("1");
        callback.GetProperty("floor_status").GetString().ShouldBe("1");
        callback.TryGetProperty("error_msg", out _).ShouldBeFalse();
        await Wait.UntilAsync(async () => (await QueryOrderAsync(machine.MachineNo, orderId))
            .GetProperty("records")[0].TryGetProperty("notify_sent", out _));
        var order = await QueryOrderAsync(machine.MachineNo, orderId);
        order.GetProperty("records")[0].GetProperty("status").GetString().ShouldBe("IS_SUCCESS");
        order.GetProperty("records")[0].GetProperty("notify_sent").GetString().ShouldBe("1");
        order.GetProperty("notify_send_count").GetInt32().ShouldBe(1);
    }

    [Fact]
    public async Task While_a_command_runs_the_machine_answers_30005_and_it_unlocks_after_the_result()
    {
        var machine = await fixture.Control.CreateMachineAsync();
        await fixture.Control.SendAsync(HttpMethod.Put, $"/_sim/machines/{machine.MachineNo}", new { result_delay_ms = 800 });
        var key = Guid.NewGuid().ToString("N");
        var (orderId, records) = await fixture.CreatePaidOrderAsync(
            machine.MachineNo, key, (machine.ProductId(0), 1), (machine.ProductId(1), 1));
        (await fixture.DispenseAsync(machine.MachineNo, orderId, records[0])).IsOk.ShouldBeTrue();

        var busy = await fixture.DispenseAsync(machine.MachineNo, orderId, records[1]);
        await fixture.Receiver.WaitForAsync(key, 1);
        var afterResult = await fixture.DispenseAsync(machine.MachineNo, orderId, records[1]);

        busy.Code.ShouldBe(30005);
        busy.Message.ShouldBe("machine busy");
        afterResult.IsOk.ShouldBeTrue(afterResult.Raw);
        var commands = (await fixture.Control.CommandsAsync(machine.MachineNo)).GetProperty("commands").EnumerateArray().ToList();
        commands.Count.ShouldBe(2);
        commands[1].GetProperty("issued_at").GetDateTimeOffset()
            .ShouldBeGreaterThanOrEqualTo(commands[0].GetProperty("finished_at").GetDateTimeOffset());
    }

    [Fact]
    public async Task Dispensing_the_same_record_twice_answers_40006()
    {
        var machine = await fixture.Control.CreateMachineAsync();
        var key = Guid.NewGuid().ToString("N");
        var (orderId, records) = await fixture.CreatePaidOrderAsync(machine.MachineNo, key, (machine.ProductId(0), 1));
        (await fixture.DispenseAsync(machine.MachineNo, orderId, records[0])).IsOk.ShouldBeTrue();
        await fixture.Receiver.WaitForAsync(key, 1);

        var again = await fixture.DispenseAsync(machine.MachineNo, orderId, records[0]);

        again.Code.ShouldBe(40006);
        (await fixture.Control.CommandsAsync(machine.MachineNo)).GetProperty("commands").GetArrayLength().ShouldBe(1);
    }

    [Fact]
    public async Task Every_dispense_attempt_is_logged_with_its_trade_the_time_its_order_was_paid_and_why_it_was_refused()
    {
        var machine = await fixture.Control.CreateMachineAsync();
        await fixture.Control.SendAsync(HttpMethod.Put, $"/_sim/machines/{machine.MachineNo}", new { result_delay_ms = 2000 });
        var unpaidOrder = await fixture.CreateOrderAsync(machine.MachineNo, "log-unpaid", (machine.ProductId(1), 1));
        var unpaidRecord = (await fixture.Control.OrderAsync(unpaidOrder)).GetProperty("records")[0].GetProperty("record_id").GetInt64();
        var (orderId, records) = await fixture.CreatePaidOrderAsync(machine.MachineNo, "log-paid", (machine.ProductId(0), 1), (machine.ProductId(0), 1));
        var paid = await fixture.Control.OrderAsync(orderId);

        await fixture.DispenseAsync(machine.MachineNo, unpaidOrder, unpaidRecord);
        await fixture.DispenseAsync(machine.MachineNo, orderId, records[0]);
        await fixture.DispenseAsync(machine.MachineNo, orderId, records[1]);
        await fixture.DispenseAsync(machine.MachineNo, orderId, records[0]);

        var log = await fixture.Control.CommandsAsync(machine.MachineNo);
        var command = log.GetProperty("commands").EnumerateArray().ShouldHaveSingleItem();
        command.GetProperty("order_paid_at").GetDateTimeOffset().ShouldBe(paid.GetProperty("paid_at").GetDateTimeOffset());
        command.GetProperty("fault").ValueKind.ShouldBe(JsonValueKind.Null);
        var refused = log.GetProperty("refused").EnumerateArray().ToList();
        refused.Select(r => r.GetProperty("reason").GetString()).ShouldBe(["order_unpaid", "machine_busy", "record_not_waiting"]);
        refused[0].GetProperty("order_paid_at").ValueKind.ShouldBe(JsonValueKind.Null);
        refused[0].GetProperty("trade_id").GetString().ShouldBe((await fixture.Control.OrderAsync(unpaidOrder)).GetProperty("trade_id").GetString());
        refused[1].GetProperty("order_paid_at").GetDateTimeOffset().ShouldBe(paid.GetProperty("paid_at").GetDateTimeOffset());
        refused[2].GetProperty("record_id").GetString().ShouldBe(records[0].ToString(System.Globalization.CultureInfo.InvariantCulture));
        refused.ShouldAllBe(r => r.GetProperty("fault").ValueKind == JsonValueKind.Null);
    }

    [Fact]
    public async Task A_scripted_failure_is_reported_with_its_reason_and_no_deliver_status()
    {
        var machine = await fixture.Control.CreateMachineAsync();
        await fixture.Control.PostAsync($"/_sim/machines/{machine.MachineNo}/dispense-faults", new { count = 1, mode = "fail" });
        var key = Guid.NewGuid().ToString("N");
        var (orderId, records) = await fixture.CreatePaidOrderAsync(machine.MachineNo, key, (machine.ProductId(0), 1));

        (await fixture.DispenseAsync(machine.MachineNo, orderId, records[0])).IsOk.ShouldBeTrue();

        var callback = (await fixture.Receiver.WaitForAsync(key, 1)).Single();
        callback.Body.TryGetProperty("deliver_status", out _).ShouldBeFalse();
        callback.Body.GetProperty("floor_status").GetString().ShouldBe("2");
        FailureText(callback).ShouldBe("Goods are Stuck");
        (await QueryOrderAsync(machine.MachineNo, orderId)).GetProperty("records")[0].GetProperty("status").GetString()
            .ShouldBe("IS_FAILED");
    }

    [Fact]
    public async Task Failure_callbacks_alternate_between_error_msg_and_fail_reason()
    {
        var machine = await fixture.Control.CreateMachineAsync();
        await fixture.Control.PostAsync(
            $"/_sim/machines/{machine.MachineNo}/dispense-faults", new { count = 2, mode = "fail", reason = "Over Current" });
        var key = Guid.NewGuid().ToString("N");
        var (orderId, records) = await fixture.CreatePaidOrderAsync(
            machine.MachineNo, key, (machine.ProductId(0), 1), (machine.ProductId(1), 1));

        (await fixture.DispenseAsync(machine.MachineNo, orderId, records[0])).IsOk.ShouldBeTrue();
        await fixture.Receiver.WaitForAsync(key, 1);
        (await fixture.DispenseAsync(machine.MachineNo, orderId, records[1])).IsOk.ShouldBeTrue();
        var callbacks = await fixture.Receiver.WaitForAsync(key, 2);

        callbacks.Select(FailureText).ShouldAllBe(text => text == "Over Current");
        callbacks.Count(c => c.Body.TryGetProperty("error_msg", out _)).ShouldBe(1);
        callbacks.Count(c => c.Body.TryGetProperty("fail_reason", out _)).ShouldBe(1);
        callbacks.ShouldAllBe(c => c.Body.GetProperty("floor_status").GetString() == "3");
    }

    [Fact]
    public async Task Dispensing_on_an_offline_machine_answers_30002()
    {
        var machine = await fixture.Control.CreateMachineAsync();
        var (orderId, records) = await fixture.CreatePaidOrderAsync(machine.MachineNo, "offline", (machine.ProductId(0), 1));
        await fixture.Control.SendAsync(HttpMethod.Put, $"/_sim/machines/{machine.MachineNo}", new { online = false });

        var reply = await fixture.DispenseAsync(machine.MachineNo, orderId, records[0]);

        reply.Code.ShouldBe(30002);
    }

    [Fact]
    public async Task A_dispense_can_be_queried_by_its_delivery_id()
    {
        var machine = await fixture.Control.CreateMachineAsync();
        var key = Guid.NewGuid().ToString("N");
        var (orderId, records) = await fixture.CreatePaidOrderAsync(machine.MachineNo, key, (machine.ProductId(0), 1));
        var deliveryId = (await fixture.DispenseAsync(machine.MachineNo, orderId, records[0])).Data.GetProperty("delivery_id").GetString();
        await fixture.Receiver.WaitForAsync(key, 1);

        var reply = await fixture.Platform.PostAsync($"/deliveries/{deliveryId}", new() { ["machine_no"] = machine.MachineNo });
        var unknown = await fixture.Platform.PostAsync("/deliveries/123", new() { ["machine_no"] = machine.MachineNo });

        reply.Data.GetProperty("status").GetString().ShouldBe("success");
        reply.Data.GetProperty("delivered_at").GetString()!.ShouldMatch(@"^\d{10}$");
        reply.Data.GetProperty("pickup_at").GetString()!.ShouldMatch(@"^\d{10}$");
        reply.Data.TryGetProperty("fail_reason", out _).ShouldBeFalse();
        unknown.Code.ShouldBe(404);
    }

    [Fact]
    public async Task A_debug_dispense_runs_a_test_command_without_an_order()
    {
        var machine = await fixture.Control.CreateMachineAsync();
        var key = Guid.NewGuid().ToString("N");

        var reply = await fixture.Platform.PostAsync("/deliveries/debug", new()
        {
            ["machine_no"] = machine.MachineNo,
            ["method"] = "device.delivery.put",
            ["product_id"] = machine.ProductId(1),
            ["notify_url"] = fixture.Receiver.UrlFor(key),
        });

        reply.IsOk.ShouldBeTrue(reply.Raw);
        var callback = (await fixture.Receiver.WaitForAsync(key, 1)).Single().Body;
        callback.GetProperty("order_id").GetInt64().ShouldBe(reply.Data.GetProperty("order_id").GetInt64());
        var command = (await fixture.Control.CommandsAsync(machine.MachineNo)).GetProperty("commands")[0];
        command.GetProperty("debug").GetBoolean().ShouldBeTrue();
        command.GetProperty("trade_id").ValueKind.ShouldBe(JsonValueKind.Null);
        (await fixture.Control.StockAsync(machine.MachineNo, machine.ProductId(1))).ShouldBe(4);
    }

    [Theory]
    [InlineData("drinks", 3)]
    [InlineData("conveyor", 1)]
    [InlineData("spring", 1)]
    public async Task Items_dropped_per_command_depend_on_the_machine_model(string model, int dropped)
    {
        var machine = await fixture.Control.CreateMachineAsync(model);
        var key = Guid.NewGuid().ToString("N");
        var (orderId, records) = await fixture.CreatePaidOrderAsync(machine.MachineNo, key, (machine.ProductId(0), 3));

        (await fixture.DispenseAsync(machine.MachineNo, orderId, records[0])).IsOk.ShouldBeTrue();

        await fixture.Receiver.WaitForAsync(key, 1);
        var command = (await fixture.Control.CommandsAsync(machine.MachineNo)).GetProperty("commands")[0];
        command.GetProperty("quantity").GetInt32().ShouldBe(3);
        command.GetProperty("dropped").GetInt32().ShouldBe(dropped);
    }

    [Fact]
    public async Task The_command_log_records_every_accepted_and_refused_command()
    {
        var machine = await fixture.Control.CreateMachineAsync();
        var key = Guid.NewGuid().ToString("N");
        var tradeId = SimulatorFixture.NewTradeId();
        var created = await fixture.Platform.PostJsonAsync("/orders", new
        {
            machine_no = machine.MachineNo,
            notify_url = fixture.Receiver.UrlFor(key),
            trade_id = tradeId,
            products = new[] { new { product_id = machine.ProductId(0), quantity = 1 } },
        });
        var orderId = created.Data.GetProperty("order_id").GetInt64();
        await fixture.Platform.PutAsync($"/orders/{orderId}", new() { ["machine_no"] = machine.MachineNo, ["status"] = 1 });
        var recordId = (await QueryOrderAsync(machine.MachineNo, orderId)).GetProperty("records")[0].GetProperty("id").GetInt64();

        var accepted = await fixture.DispenseAsync(machine.MachineNo, orderId, recordId);
        var refused = await fixture.DispenseAsync(machine.MachineNo, orderId, recordId);
        await fixture.Receiver.WaitForAsync(key, 1);

        var log = await fixture.Control.GetAsync($"/_sim/commands?machine_no={machine.MachineNo}&order_id={orderId}");
        var command = log.GetProperty("commands").EnumerateArray().Single();
        command.GetProperty("seq").GetInt64().ShouldBeGreaterThan(0);
        command.GetProperty("machine_no").GetString().ShouldBe(machine.MachineNo);
        command.GetProperty("order_id").GetInt64().ShouldBe(orderId);
        command.GetProperty("record_id").GetInt64().ShouldBe(recordId);
        command.GetProperty("trade_id").GetString().ShouldBe(tradeId);
        command.GetProperty("delivery_id").GetString().ShouldBe(accepted.Data.GetProperty("delivery_id").GetString());
        command.GetProperty("outcome").GetString().ShouldBe("success");
        command.GetProperty("finished_at").GetDateTimeOffset().ShouldBeGreaterThan(command.GetProperty("issued_at").GetDateTimeOffset());
        command.GetProperty("finished_at_real").GetDateTimeOffset()
            .ShouldBeGreaterThan(command.GetProperty("issued_at_real").GetDateTimeOffset());
        var refusal = log.GetProperty("refused").EnumerateArray().Single();
        refusal.GetProperty("code").GetInt32().ShouldBe(refused.Code);
        refusal.GetProperty("record_id").GetString().ShouldBe(recordId.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    private static string? FailureText(ReceivedCallback callback) =>
        callback.Body.TryGetProperty("error_msg", out var text) || callback.Body.TryGetProperty("fail_reason", out text)
            ? text.GetString()
            : null;

    private async Task<JsonElement> QueryOrderAsync(string machineNo, long orderId) =>
        (await fixture.Platform.PostAsync($"/orders/{orderId}", new() { ["machine_no"] = machineNo })).Data;
}
