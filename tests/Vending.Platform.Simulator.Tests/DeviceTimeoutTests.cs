using Vending.Platform.Simulator.Tests.Infrastructure;

namespace Vending.Platform.Simulator.Tests;

public sealed class DeviceTimeoutTests(SimulatorFixture fixture) : IClassFixture<SimulatorFixture>
{
    [Fact]
    public async Task A_device_that_never_reports_is_marked_timed_out_after_120_seconds_and_notified()
    {
        var machine = await fixture.Control.CreateMachineAsync();
        await fixture.Control.PostAsync($"/_sim/machines/{machine.MachineNo}/dispense-faults", new { count = 1, mode = "timeout" });
        var key = Guid.NewGuid().ToString("N");
        var (orderId, records) = await fixture.CreatePaidOrderAsync(machine.MachineNo, key, (machine.ProductId(0), 1));
        var deliveryId = (await fixture.DispenseAsync(machine.MachineNo, orderId, records[0])).Data.GetProperty("delivery_id").GetString();
        await fixture.Control.AdvanceClockAsync(119);
        (await fixture.Control.OrderAsync(orderId)).GetProperty("records")[0].GetProperty("status").GetString().ShouldBe("IS_DELIVERING");

        await fixture.Control.AdvanceClockAsync(2);

        var callback = (await fixture.Receiver.WaitForAsync(key, 1)).Single().Body;
        callback.TryGetProperty("deliver_status", out _).ShouldBeFalse();
        callback.GetProperty("floor_status").GetString().ShouldBe("47");
        (await fixture.Control.OrderAsync(orderId)).GetProperty("records")[0].GetProperty("status").GetString().ShouldBe("IS_TIMEOUT");
        var query = await fixture.Platform.PostAsync($"/deliveries/{deliveryId}", new() { ["machine_no"] = machine.MachineNo });
        query.Data.GetProperty("status").GetString().ShouldBe("timeout");
        query.Data.GetProperty("fail_reason").GetString().ShouldBe("Device Timeout");
        var command = (await fixture.Control.CommandsAsync(machine.MachineNo)).GetProperty("commands")[0];
        command.GetProperty("outcome").GetString().ShouldBe("timeout");
    }

    [Fact]
    public async Task The_machine_unlocks_when_its_lock_time_elapses_even_without_a_report()
    {
        var machine = await fixture.Control.CreateMachineAsync(lockSeconds: 5);
        await fixture.Control.PostAsync($"/_sim/machines/{machine.MachineNo}/dispense-faults", new { count = 1, mode = "timeout" });
        var (orderId, records) = await fixture.CreatePaidOrderAsync(
            machine.MachineNo, "locks", (machine.ProductId(0), 1), (machine.ProductId(1), 1));
        (await fixture.DispenseAsync(machine.MachineNo, orderId, records[0])).IsOk.ShouldBeTrue();
        (await fixture.DispenseAsync(machine.MachineNo, orderId, records[1])).Code.ShouldBe(30005);

        await fixture.Control.AdvanceClockAsync(6);
        var reply = await fixture.DispenseAsync(machine.MachineNo, orderId, records[1]);

        reply.IsOk.ShouldBeTrue(reply.Raw);
        var commands = (await fixture.Control.CommandsAsync(machine.MachineNo)).GetProperty("commands");
        commands[0].GetProperty("outcome").ValueKind.ShouldBe(System.Text.Json.JsonValueKind.Null);
    }

    [Fact]
    public async Task The_seeded_conveyor_stays_locked_for_90_seconds_when_the_device_is_silent()
    {
        var orderId = await fixture.CreateOrderAsync("16327130", "conveyor", (1323452, 1), (1323453, 1));
        await fixture.Platform.PutAsync($"/orders/{orderId}", new() { ["machine_no"] = "16327130", ["status"] = 1 });
        var records = (await fixture.Control.OrderAsync(orderId)).GetProperty("records").EnumerateArray()
            .Select(r => r.GetProperty("record_id").GetInt64()).ToArray();
        await fixture.Control.PostAsync("/_sim/machines/16327130/dispense-faults", new { count = 1, mode = "timeout" });
        (await fixture.DispenseAsync("16327130", orderId, records[0])).IsOk.ShouldBeTrue();

        await fixture.Control.AdvanceClockAsync(89);
        var stillLocked = await fixture.DispenseAsync("16327130", orderId, records[1]);
        await fixture.Control.AdvanceClockAsync(2);
        var unlocked = await fixture.DispenseAsync("16327130", orderId, records[1]);

        stillLocked.Code.ShouldBe(30005);
        unlocked.IsOk.ShouldBeTrue(unlocked.Raw);
    }
}
