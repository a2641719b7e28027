using System.Net;
using Merchant.Api.Hosting;
using Merchant.Api.PlatformNotify;
using Microsoft.Extensions.Options;

namespace Merchant.Api.Tests;

public sealed class DispenseOutcomeTests : IAsyncLifetime
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(40);
    private Stack _stack = null!;

    public async Task InitializeAsync() => _stack = await Stack.StartAsync();

    public async Task DisposeAsync() => await _stack.DisposeAsync();

    [Fact]
    public async Task A_failed_dispense_refunds_exactly_that_line_once()
    {
        var machine = await _stack.Simulator.CreateMachineAsync(products: 2, price: "2.50");
        await _stack.Simulator.FailNextDispensesAsync(machine.MachineNo, 1, reason: "Goods are Stuck");

        var trade = await _stack.CheckoutOkAsync(machine.MachineNo, (machine.Products[0].ProductId, 1), (machine.Products[1].ProductId, 2));
        await _stack.PayAsync(trade.TradeId);
        var done = await _stack.WaitForAsync(trade.TradeId, Within, "partially_refunded");
        var detail = await _stack.DetailAsync(trade.TradeId);

        done.Amount.ShouldBe("7.50");
        done.RefundedAmount.ShouldBe("2.50");
        done.Lines.Count(l => l.Status == "refunded").ShouldBe(1);
        done.Lines.Count(l => l.Status == "dispensed").ShouldBe(2);
        done.Lines.Single(l => l.Status == "refunded").FailureReason.ShouldBe("Goods are Stuck");
        detail.Refunds.ShouldHaveSingleItem().Status.ShouldBe("succeeded");
        var log = await _stack.Simulator.CommandsAsync(machine.MachineNo);
        log.Commands.Count.ShouldBe(3);
        log.Commands.Select(c => c.RecordId).Distinct().Count().ShouldBe(3);
    }

    [Fact]
    public async Task Dropped_callbacks_are_settled_by_polling_the_platform()
    {
        var machine = await _stack.Simulator.CreateMachineAsync(products: 1);
        await _stack.Simulator.CallbackFaultAsync(machine.MachineNo, "drop", 10);

        var trade = await _stack.CheckoutOkAsync(machine.MachineNo, (machine.Products[0].ProductId, 2));
        await _stack.PayAsync(trade.TradeId);
        var done = await _stack.WaitForAsync(trade.TradeId, Within, "completed");
        var callbacks = await _stack.Simulator.CallbacksAsync(machine.MachineNo);

        done.Lines.ShouldAllBe(l => l.Status == "dispensed");
        callbacks.Count.ShouldBe(2);
        callbacks.ShouldAllBe(c => c.Fault == "dropped");
        (await _stack.Simulator.CommandsAsync(machine.MachineNo)).Commands.Count.ShouldBe(2);
    }

    [Fact]
    public async Task Duplicated_and_reordered_callbacks_have_no_double_effect()
    {
        var machine = await _stack.Simulator.CreateMachineAsync(products: 1);
        await _stack.Simulator.FailNextDispensesAsync(machine.MachineNo, 1);
        await _stack.Simulator.CallbackFaultAsync(machine.MachineNo, "duplicate", 10);

        var trade = await _stack.CheckoutOkAsync(machine.MachineNo, (machine.Products[0].ProductId, 3));
        await _stack.PayAsync(trade.TradeId);
        var done = await _stack.WaitForAsync(trade.TradeId, Within, "partially_refunded");
        await Task.Delay(500);
        var detail = await _stack.DetailAsync(trade.TradeId);

        done.RefundedAmount.ShouldBe("1.00");
        detail.Refunds.Count.ShouldBe(1);
        detail.Timeline.Count(e => e.Kind == "callback").ShouldBeGreaterThanOrEqualTo(6);
        (await _stack.Simulator.CommandsAsync(machine.MachineNo)).Commands.Count.ShouldBe(3);
    }

    [Fact]
    public async Task Reordered_callbacks_settle_each_line_by_its_own_result()
    {
        var machine = await _stack.Simulator.CreateMachineAsync(products: 1);
        await _stack.Simulator.CallbackFaultAsync(machine.MachineNo, "reorder", 2, delayMs: 1500);

        var trade = await _stack.CheckoutOkAsync(machine.MachineNo, (machine.Products[0].ProductId, 2));
        await _stack.PayAsync(trade.TradeId);
        var done = await _stack.WaitForAsync(trade.TradeId, Within, "completed");

        done.Lines.ShouldAllBe(l => l.Status == "dispensed");
        (await _stack.Simulator.CommandsAsync(machine.MachineNo)).Commands.Count.ShouldBe(2);
    }

    [Fact]
    public async Task A_forged_or_mismatched_notify_token_is_404_and_changes_nothing()
    {
        var machine = await _stack.Simulator.CreateMachineAsync(products: 1);
        await _stack.Simulator.CallbackFaultAsync(machine.MachineNo, "drop", 10);
        var victim = await _stack.CheckoutOkAsync(machine.MachineNo, (machine.Products[0].ProductId, 1));
        var other = await _stack.CheckoutOkAsync(machine.MachineNo, (machine.Products[0].ProductId, 1));
        var tokens = new NotifyTokens(Options.Create(new MerchantOptions { NotifySecret = MerchantHost.NotifySecret }));
        var client = _stack.Api.Client(apiKey: null);
        var victimRecord = (await _stack.Simulator.OrderAsync(victim.PlatformOrderId!.Value)).Records[0].RecordId;
        var body = $$"""{"method":"device.delivery.response","order_id":{{victim.PlatformOrderId}},"record_id":{{victimRecord}},"deliver_status":"1","floor_status":"1"}""";

        var forged = await client.PostAsync($"/api/v1/platform/notify/{victim.TradeId}.AAAAAAAAAAAAAAAAAAAAAAAA", new StringContent(body));
        var garbage = await client.PostAsync("/api/v1/platform/notify/not-a-token", new StringContent(body));
        var otherTradesToken = await client.PostAsync($"/api/v1/platform/notify/{tokens.For(other.TradeId)}", new StringContent(body));
        var after = await _stack.TradeAsync(victim.TradeId);

        forged.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        garbage.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        otherTradesToken.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await forged.Content.ReadAsStringAsync()).ShouldContain("\"code\":\"not_found\"");
        after.Status.ShouldBe("awaiting_payment");
        after.Lines.ShouldAllBe(l => l.Status == "pending");
    }

    [Fact]
    public async Task A_valid_callback_for_a_line_never_sent_changes_nothing()
    {
        var machine = await _stack.Simulator.CreateMachineAsync(products: 1);
        var trade = await _stack.CheckoutOkAsync(machine.MachineNo, (machine.Products[0].ProductId, 1));
        var tokens = new NotifyTokens(Options.Create(new MerchantOptions { NotifySecret = MerchantHost.NotifySecret }));
        var record = (await _stack.Simulator.OrderAsync(trade.PlatformOrderId!.Value)).Records[0].RecordId;
        var body = $$"""{"method":"device.delivery.response","order_id":{{trade.PlatformOrderId}},"record_id":{{record}},"deliver_status":"0","error_msg":"Goods are Stuck"}""";

        var response = await _stack.Api.Client(apiKey: null).PostAsync($"/api/v1/platform/notify/{tokens.For(trade.TradeId)}", new StringContent(body));
        var after = await _stack.TradeAsync(trade.TradeId);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        after.Status.ShouldBe("awaiting_payment");
        after.Lines.ShouldAllBe(l => l.Status == "pending");
        after.RefundedAmount.ShouldBe("0.00");
    }

    [Fact]
    public async Task Two_trades_on_one_machine_paid_together_never_overlap_their_commands()
    {
        var machine = await _stack.Simulator.CreateMachineAsync(products: 2);
        var first = await _stack.CheckoutOkAsync(machine.MachineNo, (machine.Products[0].ProductId, 2));
        var second = await _stack.CheckoutOkAsync(machine.MachineNo, (machine.Products[1].ProductId, 2));

        await Task.WhenAll(_stack.PayAsync(first.TradeId), _stack.PayAsync(second.TradeId));
        await _stack.WaitForAsync(first.TradeId, Within, "completed");
        await _stack.WaitForAsync(second.TradeId, Within, "completed");
        var log = await _stack.Simulator.CommandsAsync(machine.MachineNo);

        log.Commands.Count.ShouldBe(4);
        log.Refused.ShouldBeEmpty();
        var ordered = log.Commands.OrderBy(c => c.IssuedAtReal).ToList();
        for (var i = 1; i < ordered.Count; i++)
        {
            ordered[i].IssuedAtReal.ShouldBeGreaterThanOrEqualTo(ordered[i - 1].FinishedAtReal!.Value);
        }
    }
}
