using Merchant.Reliability.Tests.Infrastructure;

namespace Merchant.Reliability.Tests.Faults;

/// <summary>
/// The machine itself: offline mid-trade (briefly, and for good), a device that never reports and the platform's
/// 120 s fallback (the simulated clock is advanced), and a device silent past Dispense:AttentionAfter.
/// </summary>
[Collection("faults-b")]
public sealed class MachineFaultTests : IAsyncLifetime
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(45);
    private Rig _rig = null!;

    public async Task InitializeAsync() => _rig = await Rig.StartAsync(new Dictionary<string, string?>
    {
        ["Dispense:SendDeadline"] = "00:00:08",
        ["Dispense:AttentionAfter"] = "00:00:08",
    }, databasePrefix: "f_machine");

    public async Task DisposeAsync() => await _rig.DisposeAsync();

    [Fact]
    public async Task A_machine_offline_for_a_moment_mid_trade_dispenses_everything_once_it_is_back()
    {
        var machine = await _rig.Simulator.CreateMachineAsync(products: 1);
        var trade = await _rig.Shop.CheckoutOkAsync(machine.MachineNo, (machine.Products[0].ProductId, 3));
        await _rig.Simulator.CallbackFaultAsync(machine.MachineNo, "delay", 1, delayMs: 1500);

        await _rig.Shop.PayAsync(trade.TradeId);
        await _rig.Simulator.WaitForCommandsAsync(machine.MachineNo, 1, Within);
        await _rig.Simulator.SetOnlineAsync(machine.MachineNo, false);
        Figures.Fault("machine.offline_mid_trade");
        // Back online once the next line was refused for it, however slow the machine running the test is.
        await Eventually.HoldsAsync(async () => (await _rig.Simulator.CommandsAsync(machine.MachineNo)).Refused.Any(r => r.Code == 30002),
            Within, "a command was refused because the machine is offline");
        await _rig.Simulator.SetOnlineAsync(machine.MachineNo, true);
        var done = await _rig.Shop.WaitForAsync(trade.TradeId, Within, "completed");
        var log = await _rig.Simulator.CommandsAsync(machine.MachineNo);

        done.Lines.ShouldAllBe(l => l.Status == "dispensed");
        log.Commands.Count.ShouldBe(3);
        log.Refused.ShouldContain(r => r.Code == 30002);
        await _rig.VerifyAsync(nameof(A_machine_offline_for_a_moment_mid_trade_dispenses_everything_once_it_is_back));
    }

    [Fact]
    public async Task A_machine_that_stays_offline_refunds_the_lines_it_never_started_after_the_send_deadline()
    {
        var machine = await _rig.Simulator.CreateMachineAsync(products: 1, price: "4.00");
        var trade = await _rig.Shop.CheckoutOkAsync(machine.MachineNo, (machine.Products[0].ProductId, 2));
        await _rig.Simulator.SetOnlineAsync(machine.MachineNo, false);
        Figures.Fault("machine.offline_for_good");

        await _rig.Shop.PayAsync(trade.TradeId);
        var done = await _rig.Shop.WaitForAsync(trade.TradeId, Within, "refunded");
        var log = await _rig.Simulator.CommandsAsync(machine.MachineNo);

        done.RefundedAmount.ShouldBe("8.00");
        done.Lines.ShouldAllBe(l => l.FailureReason!.StartsWith("not dispensed"));
        log.Commands.ShouldBeEmpty();
        log.Refused.ShouldNotBeEmpty();
        await _rig.VerifyAsync(nameof(A_machine_that_stays_offline_refunds_the_lines_it_never_started_after_the_send_deadline));
    }

    [Fact]
    public async Task A_device_that_never_reports_is_refunded_by_the_platforms_120_second_fallback_and_the_next_line_waits_for_the_lock()
    {
        var machine = await _rig.Simulator.CreateMachineAsync(products: 1, lockSeconds: 30);
        await _rig.Simulator.FailNextDispensesAsync(machine.MachineNo, 1, mode: "timeout");
        var trade = await _rig.Shop.CheckoutOkAsync(machine.MachineNo, (machine.Products[0].ProductId, 2));
        Figures.Fault("device.timeout_120s");

        await _rig.Shop.PayAsync(trade.TradeId);
        await _rig.Simulator.WaitForCommandsAsync(machine.MachineNo, 1, Within);
        await Task.Delay(TimeSpan.FromSeconds(1));
        await _rig.Simulator.AdvanceClockAsync(TimeSpan.FromSeconds(121));
        var done = await _rig.Shop.WaitForAsync(trade.TradeId, Within, "partially_refunded");
        var log = await _rig.Simulator.CommandsAsync(machine.MachineNo);

        done.Lines[0].Status.ShouldBe("refunded");
        done.Lines[1].Status.ShouldBe("dispensed");
        log.Commands[0].Outcome.ShouldBe("timeout");
        log.Commands.Count.ShouldBe(2);
        await _rig.VerifyAsync(nameof(A_device_that_never_reports_is_refunded_by_the_platforms_120_second_fallback_and_the_next_line_waits_for_the_lock));
    }

    [Fact]
    public async Task A_device_silent_past_the_attention_deadline_needs_attention_and_is_never_refunded_blindly()
    {
        var machine = await _rig.Simulator.CreateMachineAsync(products: 1, lockSeconds: 5);
        await _rig.Simulator.FailNextDispensesAsync(machine.MachineNo, 1, mode: "timeout");
        var trade = await _rig.Shop.CheckoutOkAsync(machine.MachineNo, (machine.Products[0].ProductId, 1));
        Figures.Fault("device.silent");

        await _rig.Shop.PayAsync(trade.TradeId);
        var stuck = await _rig.Shop.WaitForAsync(trade.TradeId, Within, "needs_attention");

        stuck.StatusReason.ShouldNotBeNullOrWhiteSpace();
        stuck.RefundedAmount.ShouldBe("0.00");
        stuck.Lines.Single().Status.ShouldBe("needs_attention");
        await _rig.VerifyAsync(nameof(A_device_silent_past_the_attention_deadline_needs_attention_and_is_never_refunded_blindly));
    }
}
