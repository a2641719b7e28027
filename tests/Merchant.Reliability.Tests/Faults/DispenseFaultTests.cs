using Merchant.Reliability.Tests.Infrastructure;

namespace Merchant.Reliability.Tests.Faults;

/// <summary>
/// Step "dispense" (POST /deliveries, never repeated): a command whose fate is unknown is verified through query-order;
/// one the platform never started is refunded; one it executed is settled by its result. Never a second command.
/// </summary>
[Collection("faults-a")]
public sealed class DispenseFaultTests : IAsyncLifetime
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(40);
    private Rig _rig = null!;

    public async Task InitializeAsync() => _rig = await Rig.StartAsync(databasePrefix: "f_dispense");

    public async Task DisposeAsync() => await _rig.DisposeAsync();

    [Theory]
    [InlineData("error500", null)]
    [InlineData("hang", 4000)]
    public async Task A_dispense_the_platform_never_executed_is_verified_then_refunded_and_never_resent(string mode, int? delayMs)
    {
        var machine = await _rig.Simulator.CreateMachineAsync(products: 1, price: "3.00");
        var trade = await _rig.Shop.CheckoutOkAsync(machine.MachineNo, (machine.Products[0].ProductId, 2));
        await _rig.Simulator.EndpointFaultAsync("deliveries", mode, 1, machine.MachineNo, delayMs);
        Figures.Fault($"deliveries.{mode}");

        await _rig.Shop.PayAsync(trade.TradeId);
        var done = await _rig.Shop.WaitForAsync(trade.TradeId, Within, "partially_refunded");
        var log = await _rig.Simulator.CommandsAsync(machine.MachineNo);

        done.RefundedAmount.ShouldBe("3.00");
        done.Lines[0].Status.ShouldBe("refunded");
        done.Lines[0].FailureReason.ShouldNotBeNull().ShouldContain("never reached the machine");
        done.Lines[1].Status.ShouldBe("dispensed");
        log.Commands.ShouldHaveSingleItem().RecordId.ShouldBe((await _rig.Simulator.OrderAsync(trade.PlatformOrderId!.Value)).Records[1].RecordId);
        await _rig.VerifyAsync($"{nameof(A_dispense_the_platform_never_executed_is_verified_then_refunded_and_never_resent)}({mode})");
    }

    // The machine got the command; its answer came back as a 500, never came (held past the client's timeout), or the
    // connection dropped.
    [Theory]
    [InlineData("error500_after", null)]
    [InlineData("hang_after", 4000)]
    [InlineData("drop_after", null)]
    public async Task A_dispense_executed_without_its_answer_reaching_us_is_settled_by_its_result_not_resent(string mode, int? delayMs)
    {
        var machine = await _rig.Simulator.CreateMachineAsync(products: 1);
        var trade = await _rig.Shop.CheckoutOkAsync(machine.MachineNo, (machine.Products[0].ProductId, 2));
        await _rig.Simulator.EndpointFaultAsync("deliveries", mode, 1, machine.MachineNo, delayMs);
        Figures.Fault($"deliveries.{mode}");

        await _rig.Shop.PayAsync(trade.TradeId);
        var done = await _rig.Shop.WaitForAsync(trade.TradeId, Within, "completed");
        var log = await _rig.Simulator.CommandsAsync(machine.MachineNo);

        done.Lines.ShouldAllBe(l => l.Status == "dispensed");
        log.Commands.Count.ShouldBe(2);
        log.Commands[0].Fault.ShouldBe(mode);
        log.Refused.ShouldBeEmpty();
        await _rig.VerifyAsync($"{nameof(A_dispense_executed_without_its_answer_reaching_us_is_settled_by_its_result_not_resent)}({mode})");
    }

    [Fact]
    public async Task A_slow_dispense_within_the_timeout_completes()
    {
        var machine = await _rig.Simulator.CreateMachineAsync(products: 1);
        var trade = await _rig.Shop.CheckoutOkAsync(machine.MachineNo, (machine.Products[0].ProductId, 2));
        await _rig.Simulator.EndpointFaultAsync("deliveries", "slow", 2, machine.MachineNo, delayMs: 1000);
        Figures.Fault("deliveries.slow", 2);

        await _rig.Shop.PayAsync(trade.TradeId);
        var done = await _rig.Shop.WaitForAsync(trade.TradeId, Within, "completed");

        done.Lines.ShouldAllBe(l => l.Status == "dispensed");
        await _rig.VerifyAsync(nameof(A_slow_dispense_within_the_timeout_completes));
    }

    [Fact]
    public async Task Connection_refused_for_the_next_line_is_retried_and_that_line_is_sent_once_after_recovery()
    {
        var machine = await _rig.Simulator.CreateMachineAsync(products: 1);
        var trade = await _rig.Shop.CheckoutOkAsync(machine.MachineNo, (machine.Products[0].ProductId, 2));
        // Line 1's result arrives late, so the gate can close while it is on the machine and line 2 waits.
        await _rig.Simulator.CallbackFaultAsync(machine.MachineNo, "delay", 1, delayMs: 2000);

        await _rig.Shop.PayAsync(trade.TradeId);
        await _rig.Simulator.WaitForCommandsAsync(machine.MachineNo, 1, Within);
        _rig.Gate.Close();
        Figures.Fault("deliveries.connection_refused");
        await Eventually.HoldsAsync(async () => (await _rig.Shop.DetailAsync(trade.TradeId)).Timeline
            .Any(e => e.Summary == "dispense line 2" && e.Outcome!.StartsWith("Transient")), Within, "line 2's dispense was refused");
        var whileRefused = await _rig.Shop.DetailAsync(trade.TradeId);
        _rig.Gate.Open();
        var done = await _rig.Shop.WaitForAsync(trade.TradeId, Within, "completed");
        var log = await _rig.Simulator.CommandsAsync(machine.MachineNo);

        whileRefused.Trade.Lines[0].Status.ShouldBe("dispensed");
        whileRefused.Trade.Lines[1].Status.ShouldBe("dispensing");
        whileRefused.Timeline.ShouldContain(e => e.Summary == "dispense line 2" && e.Outcome!.StartsWith("Transient"));
        done.Lines.ShouldAllBe(l => l.Status == "dispensed");
        log.Commands.Count.ShouldBe(2);
        await _rig.VerifyAsync(nameof(Connection_refused_for_the_next_line_is_retried_and_that_line_is_sent_once_after_recovery));
    }
}
