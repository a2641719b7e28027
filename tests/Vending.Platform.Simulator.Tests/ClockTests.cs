using Vending.Platform.Simulator.Tests.Infrastructure;

namespace Vending.Platform.Simulator.Tests;

public sealed class ClockTests(SimulatorFixture fixture) : IClassFixture<SimulatorFixture>
{
    [Fact]
    public async Task Advancing_the_clock_moves_sim_time_and_the_offset()
    {
        var before = await fixture.Control.GetAsync("/_sim/clock");

        var after = await fixture.Control.AdvanceClockAsync(3600);

        (after.GetProperty("now").GetDateTimeOffset() - before.GetProperty("now").GetDateTimeOffset())
            .ShouldBeGreaterThanOrEqualTo(TimeSpan.FromHours(1));
        (after.GetProperty("offset_seconds").GetDouble() - before.GetProperty("offset_seconds").GetDouble()).ShouldBe(3600);
    }

    [Fact]
    public async Task A_faster_clock_runs_sim_time_faster_than_real_time()
    {
        var before = await fixture.Control.PostAsync("/_sim/clock", new { speed = 100.0 });

        await Task.Delay(300);
        var after = await fixture.Control.PostAsync("/_sim/clock", new { speed = 1.0 });

        before.GetProperty("speed").GetDouble().ShouldBe(100);
        (after.GetProperty("now").GetDateTimeOffset() - before.GetProperty("now").GetDateTimeOffset())
            .ShouldBeGreaterThanOrEqualTo(TimeSpan.FromSeconds(25));
    }

    [Fact]
    public async Task A_faster_clock_brings_the_device_timeout_sooner()
    {
        var machine = await fixture.Control.CreateMachineAsync(lockSeconds: 1);
        await fixture.Control.PostAsync($"/_sim/machines/{machine.MachineNo}/dispense-faults", new { count = 1, mode = "timeout" });
        var (orderId, records) = await fixture.CreatePaidOrderAsync(machine.MachineNo, "fast", (machine.ProductId(0), 1));
        (await fixture.DispenseAsync(machine.MachineNo, orderId, records[0])).IsOk.ShouldBeTrue();

        await fixture.Control.PostAsync("/_sim/clock", new { speed = 600.0 });
        var callbacks = await fixture.Receiver.WaitForAsync("fast", 1);
        await fixture.Control.PostAsync("/_sim/clock", new { speed = 1.0 });

        callbacks[0].Body.GetProperty("record_id").GetInt64().ShouldBe(records[0]);
        (await fixture.Control.OrderAsync(orderId)).GetProperty("records")[0].GetProperty("status").GetString().ShouldBe("IS_TIMEOUT");
    }
}
