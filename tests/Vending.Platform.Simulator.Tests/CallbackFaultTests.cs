using System.Text.Json;
using Vending.Platform.Simulator.Tests.Infrastructure;

namespace Vending.Platform.Simulator.Tests;

public sealed class CallbackFaultTests(SimulatorFixture fixture) : IClassFixture<SimulatorFixture>
{
    [Fact]
    public async Task A_dropped_callback_is_logged_but_never_delivered()
    {
        var (machine, key, orderId, records) = await PaidOrderAsync(2);
        await fixture.Control.PostAsync("/_sim/callback-faults", new { machine_no = machine, mode = "drop", count = 1 });

        await DispenseAndWaitAsync(machine, orderId, records[0]);
        await DispenseAndWaitAsync(machine, orderId, records[1]);

        var received = await fixture.Receiver.WaitForAsync(key, 1);
        received.Single().Body.GetProperty("record_id").GetInt64().ShouldBe(records[1]);
        await Wait.UntilAsync(async () => (await CallbackLogAsync(machine)).All(c => !c.GetProperty("pending").GetBoolean()));
        var log = await CallbackLogAsync(machine);
        log.Count.ShouldBe(2);
        log[0].GetProperty("fault").GetString().ShouldBe("dropped");
        log[0].GetProperty("http_status").ValueKind.ShouldBe(JsonValueKind.Null);
        log[1].GetProperty("http_status").GetInt32().ShouldBe(200);
    }

    [Fact]
    public async Task A_duplicated_callback_arrives_twice()
    {
        var (machine, key, orderId, records) = await PaidOrderAsync(1);
        await fixture.Control.PostAsync("/_sim/callback-faults", new { machine_no = machine, mode = "duplicate", count = 1 });

        await DispenseAndWaitAsync(machine, orderId, records[0]);

        var received = await fixture.Receiver.WaitForAsync(key, 2);
        received.Count.ShouldBe(2);
        received[0].Raw.ShouldBe(received[1].Raw);
        await Wait.UntilAsync(async () => (await fixture.Control.OrderAsync(orderId)).GetProperty("notify_send_count").GetInt32() == 2);
    }

    [Fact]
    public async Task A_delayed_callback_arrives_after_the_delay()
    {
        var (machine, key, orderId, records) = await PaidOrderAsync(1);
        await fixture.Control.PostAsync("/_sim/callback-faults", new { machine_no = machine, mode = "delay", count = 1, delay_ms = 700 });

        await DispenseAndWaitAsync(machine, orderId, records[0]);

        var received = (await fixture.Receiver.WaitForAsync(key, 1)).Single();
        var command = (await fixture.Control.CommandsAsync(machine)).GetProperty("commands")[0];
        (received.At - command.GetProperty("finished_at_real").GetDateTimeOffset()).ShouldBeGreaterThan(TimeSpan.FromMilliseconds(600));
        (await CallbackLogAsync(machine)).Single().GetProperty("fault").GetString().ShouldBe("delayed");
    }

    [Fact]
    public async Task Reordered_callbacks_arrive_in_reverse_order()
    {
        var (machine, key, orderId, records) = await PaidOrderAsync(3);
        await fixture.Control.PostAsync("/_sim/callback-faults", new { machine_no = machine, mode = "reorder", count = 3, delay_ms = 10_000 });

        foreach (var record in records)
        {
            await DispenseAndWaitAsync(machine, orderId, record);
        }

        var received = await fixture.Receiver.WaitForAsync(key, 3);
        received.Select(r => r.Body.GetProperty("record_id").GetInt64()).ShouldBe(records.Reverse());
    }

    [Fact]
    public async Task Held_reordered_callbacks_go_out_after_the_delay_when_fewer_arrive()
    {
        var (machine, key, orderId, records) = await PaidOrderAsync(2);
        await fixture.Control.PostAsync("/_sim/callback-faults", new { machine_no = machine, mode = "reorder", count = 5, delay_ms = 1500 });

        await DispenseAndWaitAsync(machine, orderId, records[0]);
        await DispenseAndWaitAsync(machine, orderId, records[1]);

        var received = await fixture.Receiver.WaitForAsync(key, 2);
        received.Select(r => r.Body.GetProperty("record_id").GetInt64()).ShouldBe(records.Reverse());
    }

    [Fact]
    public async Task A_callback_fault_scoped_to_one_machine_leaves_other_machines_alone()
    {
        var (faulty, _, _, _) = await PaidOrderAsync(1);
        var (healthy, key, orderId, records) = await PaidOrderAsync(1);
        await fixture.Control.PostAsync("/_sim/callback-faults", new { machine_no = faulty, mode = "drop", count = 5 });

        await DispenseAndWaitAsync(healthy, orderId, records[0]);

        (await fixture.Receiver.WaitForAsync(key, 1)).Count.ShouldBe(1);
        var faults = await fixture.Control.GetAsync("/_sim/faults");
        faults.GetProperty("callback").EnumerateArray()
            .Single(f => f.GetProperty("machine_no").GetString() == faulty)
            .GetProperty("remaining").GetInt32().ShouldBe(5);
    }

    [Fact]
    public async Task A_failing_receiver_is_not_retried()
    {
        var machine = await fixture.Control.CreateMachineAsync();
        var orderId = (await fixture.Platform.PostJsonAsync("/orders", new
        {
            machine_no = machine.MachineNo,
            notify_url = "http://127.0.0.1:1/unreachable",
            trade_id = SimulatorFixture.NewTradeId(),
            products = new[] { new { product_id = machine.ProductId(0), quantity = 1 } },
        })).Data.GetProperty("order_id").GetInt64();
        await fixture.Platform.PutAsync($"/orders/{orderId}", new() { ["machine_no"] = machine.MachineNo, ["status"] = 1 });
        var recordId = (await fixture.Control.OrderAsync(orderId)).GetProperty("records")[0].GetProperty("record_id").GetInt64();

        await DispenseAndWaitAsync(machine.MachineNo, orderId, recordId);

        await Wait.UntilAsync(async () => (await CallbackLogAsync(machine.MachineNo)).Any(c => c.GetProperty("error").ValueKind == JsonValueKind.String));
        await Task.Delay(300);
        (await CallbackLogAsync(machine.MachineNo)).Count.ShouldBe(1);
        var order = await fixture.Platform.PostAsync($"/orders/{orderId}", new() { ["machine_no"] = machine.MachineNo });
        order.Data.GetProperty("records")[0].TryGetProperty("notify_sent", out _).ShouldBeFalse();
    }

    private async Task<(string Machine, string Key, long OrderId, long[] Records)> PaidOrderAsync(int lines)
    {
        var machine = await fixture.Control.CreateMachineAsync(products: new { name = "Water", price = "2.00", stock = 10, capacity = 10 });
        var key = Guid.NewGuid().ToString("N");
        var (orderId, records) = await fixture.CreatePaidOrderAsync(
            machine.MachineNo, key, Enumerable.Repeat((machine.ProductId(0), 1), lines).ToArray());
        return (machine.MachineNo, key, orderId, records);
    }

    private async Task DispenseAndWaitAsync(string machine, long orderId, long recordId)
    {
        (await fixture.DispenseAsync(machine, orderId, recordId)).IsOk.ShouldBeTrue();
        await Wait.UntilAsync(async () =>
        {
            var order = await fixture.Control.OrderAsync(orderId);
            return order.GetProperty("records").EnumerateArray()
                .Single(r => r.GetProperty("record_id").GetInt64() == recordId)
                .GetProperty("status").GetString() == "IS_SUCCESS";
        });
    }

    private async Task<List<JsonElement>> CallbackLogAsync(string machine) =>
        (await fixture.Control.GetAsync($"/_sim/callbacks?machine_no={machine}")).EnumerateArray().ToList();
}
