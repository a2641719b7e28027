using System.Text.Json;
using Vending.Platform.Simulator.Tests.Infrastructure;

namespace Vending.Platform.Simulator.Tests;

/// <summary>CONTRACT §3.1a floor_status: what a slot's commands report, shown by /floors, and slots broken until mended.</summary>
public sealed class SlotHealthTests(SimulatorFixture fixture) : IClassFixture<SimulatorFixture>
{
    [Fact]
    public async Task Floors_show_each_slot_normal_until_a_command_on_it_fails_and_normal_again_after_a_success()
    {
        var machine = await fixture.Control.CreateMachineAsync();
        var key = Guid.NewGuid().ToString("N");
        await fixture.Control.PostAsync($"/_sim/machines/{machine.MachineNo}/dispense-faults", new { count = 1, mode = "fail", reason = "Goods are Stuck" });
        var (first, firstRecords) = await fixture.CreatePaidOrderAsync(machine.MachineNo, key, (machine.ProductId(0), 1));
        var (second, secondRecords) = await fixture.CreatePaidOrderAsync(machine.MachineNo, key, (machine.ProductId(0), 1));
        var before = await FloorStatusAsync(machine.MachineNo, machine.ProductId(0));

        (await fixture.DispenseAsync(machine.MachineNo, first, firstRecords[0])).IsOk.ShouldBeTrue();
        await fixture.Receiver.WaitForAsync(key, 1);
        var afterFailure = await FloorStatusAsync(machine.MachineNo, machine.ProductId(0));
        (await fixture.DispenseAsync(machine.MachineNo, second, secondRecords[0])).IsOk.ShouldBeTrue();
        await fixture.Receiver.WaitForAsync(key, 2);
        var afterSuccess = await FloorStatusAsync(machine.MachineNo, machine.ProductId(0));

        before.ShouldBe("1");
        afterFailure.ShouldBe("2");
        afterSuccess.ShouldBe("1");
        (await FloorStatusAsync(machine.MachineNo, machine.ProductId(1))).ShouldBe("1");
    }

    [Fact]
    public async Task A_broken_slot_fails_every_command_with_its_floor_status_until_mended()
    {
        var machine = await fixture.Control.CreateMachineAsync();
        var product = machine.ProductId(1);
        var key = Guid.NewGuid().ToString("N");

        var broken = await fixture.Control.SendAsync(HttpMethod.Put, $"/_sim/products/{product}", new { floor_status = 3 });
        await DebugDispenseAsync(machine.MachineNo, product, key);
        var first = (await fixture.Receiver.WaitForAsync(key, 1))[0].Body;
        await DebugDispenseAsync(machine.MachineNo, product, key);
        var second = (await fixture.Receiver.WaitForAsync(key, 2))[1].Body;
        var mended = await fixture.Control.SendAsync(HttpMethod.Put, $"/_sim/products/{product}", new { floor_status = 1 });
        await DebugDispenseAsync(machine.MachineNo, product, key);
        var third = (await fixture.Receiver.WaitForAsync(key, 3))[2].Body;

        broken.GetProperty("broken").GetBoolean().ShouldBeTrue();
        broken.GetProperty("floor_status").GetInt32().ShouldBe(3);
        foreach (var failed in new[] { first, second })
        {
            failed.TryGetProperty("deliver_status", out _).ShouldBeFalse();
            failed.GetProperty("floor_status").GetString().ShouldBe("3");
        }

        mended.GetProperty("broken").GetBoolean().ShouldBeFalse();
        third.GetProperty("deliver_status").GetString().ShouldBe("1");
        (await FloorStatusAsync(machine.MachineNo, product)).ShouldBe("1");
    }

    [Fact]
    public async Task A_floor_status_outside_the_documented_values_is_refused()
    {
        var machine = await fixture.Control.CreateMachineAsync();

        var response = await fixture.Platform.Http.PutAsync($"/_sim/products/{machine.ProductId(0)}",
            new StringContent("""{"floor_status":9}""", System.Text.Encoding.UTF8, "application/json"));

        ((int)response.StatusCode).ShouldBe(400);
    }

    private async Task DebugDispenseAsync(string machineNo, long productId, string key)
    {
        await Wait.UntilAsync(async () => !(await fixture.Control.GetAsync($"/_sim/machines/{machineNo}")).GetProperty("locked").GetBoolean());
        var reply = await fixture.Platform.PostAsync("/deliveries/debug", new()
        {
            ["machine_no"] = machineNo,
            ["method"] = "device.delivery.put",
            ["product_id"] = productId,
            ["notify_url"] = fixture.Receiver.UrlFor(key),
        });
        reply.IsOk.ShouldBeTrue(reply.Raw);
    }

    private async Task<string?> FloorStatusAsync(string machineNo, long productId)
    {
        var reply = await fixture.Platform.PostAsync("/floors", new() { ["machine_no"] = machineNo });
        return reply.Data.EnumerateArray()
            .SelectMany(row => row.GetProperty("channels").EnumerateArray())
            .Single(slot => slot.GetProperty("product_id").GetInt64() == productId)
            .GetProperty("floor_status").GetString();
    }
}
