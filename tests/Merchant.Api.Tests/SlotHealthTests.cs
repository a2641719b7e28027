using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Merchant.Api.Fleet;
using Merchant.Api.Ops;
using Merchant.Testing;
using Vending.Platform.Simulator.Control;

namespace Merchant.Api.Tests;

/// <summary>Issue 13: slot health from the machines' reports, test dispenses in the machine's turn, alerts.</summary>
public sealed class SlotHealthTests : IAsyncLifetime
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(40);
    private Stack _stack = null!;

    public async Task InitializeAsync() => _stack = await Stack.StartAsync(new Dictionary<string, string?>
    {
        ["Fleet:TestDispenseWait"] = "00:00:30",
    });

    public async Task DisposeAsync() => await _stack.DisposeAsync();

    [Fact]
    public async Task A_jammed_slot_stops_sales_until_a_test_dispense_clears_it()
    {
        var machine = await _stack.Simulator.CreateMachineAsync(products: 2);
        var cola = machine.Products[0];
        await _stack.Simulator.FailNextDispensesAsync(machine.MachineNo, 1, reason: "Goods are Stuck");
        var trade = await _stack.CheckoutOkAsync(machine.MachineNo, (cola.ProductId, 1));

        await _stack.PayAsync(trade.TradeId);
        await _stack.WaitForAsync(trade.TradeId, Within, "refunded");
        var listed = await ProductsAsync(machine.MachineNo);
        var refused = await _stack.CheckoutAsync(machine.MachineNo, [(cola.ProductId, 1)]);
        var otherSlot = await _stack.CheckoutAsync(machine.MachineNo, [(machine.Products[1].ProductId, 1)]);
        var alerts = await AlertsAsync();
        var test = await TestDispenseAsync(machine.MachineNo, cola.Channel.Name);
        var relisted = await ProductsAsync(machine.MachineNo);
        var sold = await _stack.CheckoutAsync(machine.MachineNo, [(cola.ProductId, 1)]);
        var cleared = await AlertsAsync();

        var unavailable = listed.Single(p => p.ProductId == cola.ProductId);
        unavailable.Available.ShouldBeFalse();
        unavailable.UnavailableReason.ShouldBe("slot jammed");
        listed.Single(p => p.ProductId != cola.ProductId).Available.ShouldBeTrue();
        refused.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString().ShouldBe("slot_fault");
        otherSlot.StatusCode.ShouldBe(HttpStatusCode.Created);
        var alert = alerts.Items.Where(a => a.Kind == "slot_fault" && a.MachineNo == machine.MachineNo).ShouldHaveSingleItem();
        alert.Slot.ShouldBe(cola.Channel.Name);
        alert.Detail.ShouldContain("Goods are Stuck");
        test.StatusCode.ShouldBe(HttpStatusCode.OK);
        var result = (await test.Content.ReadFromJsonAsync<TestDispenseView>(Stack.Json))!;
        result.Status.ShouldBe("succeeded");
        result.ClearedFault.ShouldBeTrue();
        relisted.Single(p => p.ProductId == cola.ProductId).Available.ShouldBeTrue();
        sold.StatusCode.ShouldBe(HttpStatusCode.Created);
        cleared.Items.ShouldNotContain(a => a.Kind == "slot_fault" && a.MachineNo == machine.MachineNo);
    }

    [Fact]
    public async Task A_broken_slot_the_platform_reports_fails_its_test_dispense_and_stays_in_fault_until_mended()
    {
        var machine = await _stack.Simulator.CreateMachineAsync(products: 1);
        var slot = machine.Products[0];
        await SetFloorStatusAsync(slot.ProductId, 3);

        var detail = await MachineAsync(machine.MachineNo);
        var failed = await TestDispenseAsync(machine.MachineNo, slot.Channel.Name);
        var still = await MachineAsync(machine.MachineNo);
        await SetFloorStatusAsync(slot.ProductId, 1);
        var mended = await TestDispenseAsync(machine.MachineNo, slot.Channel.Name);
        var after = await MachineAsync(machine.MachineNo);

        var faulted = detail.Cabinets.SelectMany(c => c.Slots).Single();
        faulted.Health.Status.ShouldBe("fault");
        faulted.Health.FloorStatus.ShouldBe(3);
        faulted.Health.FloorStatusName.ShouldBe("motor fault");
        (await failed.Content.ReadFromJsonAsync<TestDispenseView>(Stack.Json))!.Status.ShouldBe("failed");
        var stillFaulted = still.Cabinets.SelectMany(c => c.Slots).Single();
        stillFaulted.Health.Status.ShouldBe("fault");
        stillFaulted.LastFailure.ShouldNotBeNull().FloorStatus.ShouldBe(3);
        stillFaulted.Health.FailuresWhileFaulted.ShouldBe(0, "a test dispense is ops looking, not a missed alert");
        (await mended.Content.ReadFromJsonAsync<TestDispenseView>(Stack.Json))!.ClearedFault.ShouldBeTrue();
        var healthy = after.Cabinets.SelectMany(c => c.Slots).Single();
        healthy.Health.Status.ShouldBe("ok");
        healthy.Health.ClearedBy.ShouldBe("test_dispense");
    }

    [Fact]
    public async Task A_slot_cleared_by_hand_sells_again_and_the_same_old_report_does_not_fault_it_again()
    {
        var machine = await _stack.Simulator.CreateMachineAsync(products: 1);
        var slot = machine.Products[0];
        await SetFloorStatusAsync(slot.ProductId, 2);
        await MachineAsync(machine.MachineNo);

        var clear = await _stack.Api.Ops.PostAsync($"/api/v1/ops/machines/{machine.MachineNo}/slots/{slot.Channel.Name}/clear", null);
        var again = await MachineAsync(machine.MachineNo);
        var sold = await _stack.CheckoutAsync(machine.MachineNo, [(slot.ProductId, 1)]);

        clear.StatusCode.ShouldBe(HttpStatusCode.OK);
        var result = (await clear.Content.ReadFromJsonAsync<SlotClearResult>(Stack.Json))!;
        result.Cleared.ShouldBeTrue();
        result.Slot.Health.ClearedBy.ShouldBe("ops");
        again.Cabinets.SelectMany(c => c.Slots).Single().Health.Status.ShouldBe("ok");
        sold.StatusCode.ShouldBe(HttpStatusCode.Created);
    }

    [Fact]
    public async Task A_test_dispense_waits_for_the_dispensing_line_and_never_overlaps_a_trades_command()
    {
        var machine = await _stack.Simulator.CreateMachineAsync(products: 2);
        await _stack.Simulator.Control.PutAsJsonAsync($"/_sim/machines/{machine.MachineNo}", new { result_delay_ms = 1500 }, SimulatorHost.Json);
        var first = await _stack.CheckoutOkAsync(machine.MachineNo, (machine.Products[0].ProductId, 1));
        var second = await _stack.CheckoutOkAsync(machine.MachineNo, (machine.Products[0].ProductId, 1));

        await _stack.PayAsync(first.TradeId);
        await WaitForCommandAsync(machine.MachineNo, c => !c.Debug);
        var impatient = await TestDispenseAsync(machine.MachineNo, machine.Products[1].Channel.Name, wait: false);
        var patient = TestDispenseAsync(machine.MachineNo, machine.Products[1].Channel.Name);
        await WaitForCommandAsync(machine.MachineNo, c => c.Debug);
        // Paid while the test dispense runs: the payment asks the dispatcher for the machine at once.
        await _stack.PayAsync(second.TradeId);
        var tested = await patient;
        await _stack.WaitForAsync(first.TradeId, Within, "completed");
        await _stack.WaitForAsync(second.TradeId, Within, "completed");
        var log = await _stack.Simulator.CommandsAsync(machine.MachineNo);

        impatient.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await impatient.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString().ShouldBe("machine_busy");
        tested.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await tested.Content.ReadFromJsonAsync<TestDispenseView>(Stack.Json))!.Status.ShouldBe("succeeded");
        log.Refused.ShouldBeEmpty("a command was sent while the machine was running another");
        log.Commands.Count.ShouldBe(3);
        log.Commands.Count(c => c.Debug).ShouldBe(1);
        var ordered = log.Commands.OrderBy(c => c.IssuedAtReal).ToList();
        ordered.Select(c => c.Debug).ShouldBe([false, true, false]);
        for (var i = 1; i < ordered.Count; i++)
        {
            ordered[i].IssuedAtReal.ShouldBeGreaterThanOrEqualTo(ordered[i - 1].FinishedAtReal!.Value, "a command started before the previous one finished");
        }
    }

    [Fact]
    public async Task Alerts_for_an_offline_machine_and_low_stock_appear_and_clear_and_are_counted_in_the_summary()
    {
        var machine = await _stack.Simulator.CreateMachineAsync(products: 1, stock: 2);
        var slot = machine.Products[0];
        await _stack.Simulator.SetOnlineAsync(machine.MachineNo, false);

        var open = await AlertsAsync();
        var summary = await _stack.Api.Ops.GetFromJsonAsync<Summary>("/api/v1/ops/summary", Stack.Json);
        await _stack.Simulator.SetOnlineAsync(machine.MachineNo, true);
        var restock = await RestockAsync(machine.MachineNo, new { product_id = slot.ProductId, stock = 10 });
        var closed = await AlertsAsync();

        open.Items.ShouldContain(a => a.Kind == "machine_offline" && a.MachineNo == machine.MachineNo);
        open.Items.ShouldContain(a => a.Kind == "low_stock" && a.MachineNo == machine.MachineNo && a.ProductId == slot.ProductId);
        summary!.Alerts.ShouldNotBeNull().MachineOffline.ShouldBeGreaterThanOrEqualTo(1);
        summary.Alerts.LowStock.ShouldBeGreaterThanOrEqualTo(1);
        restock.StatusCode.ShouldBe(HttpStatusCode.OK);
        closed.Items.ShouldNotContain(a => a.MachineNo == machine.MachineNo);
        closed.Stale.ShouldBeFalse();
    }

    private async Task<HttpResponseMessage> TestDispenseAsync(string machineNo, string slot, bool wait = true) =>
        await _stack.Api.Ops.PostAsJsonAsync($"/api/v1/ops/machines/{machineNo}/test_dispense", new { slot, wait });

    private Task<HttpResponseMessage> RestockAsync(string machineNo, object body) =>
        Stack.PostKeyedAsync(_stack.Api.Ops, $"/api/v1/ops/machines/{machineNo}/restock", body);

    private async Task<IReadOnlyList<Listed>> ProductsAsync(string machineNo) =>
        (await _stack.Api.Storefront.GetFromJsonAsync<List<Listed>>($"/api/v1/machines/{machineNo}/products", Stack.Json))!;

    private async Task<AlertList> AlertsAsync() => (await _stack.Api.Ops.GetFromJsonAsync<AlertList>("/api/v1/ops/alerts", Stack.Json))!;

    private async Task<MachineDetail> MachineAsync(string machineNo) =>
        (await _stack.Api.Ops.GetFromJsonAsync<MachineDetail>($"/api/v1/ops/machines/{machineNo}", Stack.Json))!;

    private async Task SetFloorStatusAsync(long productId, int floorStatus)
    {
        using var response = await _stack.Simulator.Control.PutAsJsonAsync($"/_sim/products/{productId}",
            new UpdateProductRequest(null, null, null, null, null, null, floorStatus), SimulatorHost.Json);
        response.EnsureSuccessStatusCode();
    }

    private async Task WaitForCommandAsync(string machineNo, Func<CommandView, bool> which)
    {
        var deadline = DateTime.UtcNow + Within;
        while (!(await _stack.Simulator.CommandsAsync(machineNo)).Commands.Any(which))
        {
            DateTime.UtcNow.ShouldBeLessThan(deadline, "the command was not sent");
            await Task.Delay(50);
        }
    }

    private sealed record Listed(long ProductId, bool Available, string? UnavailableReason);
}
