using System.Net;

namespace Merchant.Api.Tests;

/// <summary>Cancel, expiry and payments that may not be kept (DESIGN §2 rules 2 and 3).</summary>
public sealed class UnpaidTradeTests : IAsyncLifetime
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(30);
    private Stack _stack = null!;

    public async Task InitializeAsync() => _stack = await Stack.StartAsync(new Dictionary<string, string?>
    {
        ["Orders:PaymentWindow"] = "00:00:04",
    });

    public async Task DisposeAsync() => await _stack.DisposeAsync();

    [Fact]
    public async Task Cancelling_closes_the_platform_order_and_returns_the_stock()
    {
        var machine = await _stack.Simulator.CreateMachineAsync(products: 1, stock: 5);
        var product = machine.Products[0].ProductId;
        var trade = await _stack.CheckoutOkAsync(machine.MachineNo, (product, 2));
        (await _stack.Simulator.MachineAsync(machine.MachineNo)).Products[0].Stock.ShouldBe(3);

        var response = await _stack.Api.Storefront.PostAsync($"/api/v1/trades/{trade.TradeId}/cancel", null);
        var order = await WaitForOrderAsync(trade.PlatformOrderId!.Value, "CLOSED");

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await _stack.TradeAsync(trade.TradeId)).Status.ShouldBe("cancelled");
        order.Status.ShouldBe("CLOSED");
        (await _stack.Simulator.MachineAsync(machine.MachineNo)).Products[0].Stock.ShouldBe(5);
        (await _stack.DetailAsync(trade.TradeId)).Trade.Payment!.Status.ShouldBe("closed");
    }

    [Fact]
    public async Task Cancelling_a_paid_trade_is_a_conflict()
    {
        var machine = await _stack.Simulator.CreateMachineAsync(products: 1);
        var trade = await _stack.CheckoutOkAsync(machine.MachineNo, (machine.Products[0].ProductId, 1));
        await _stack.PayAsync(trade.TradeId);
        await _stack.WaitForAsync(trade.TradeId, Within, "completed");

        var response = await _stack.Api.Storefront.PostAsync($"/api/v1/trades/{trade.TradeId}/cancel", null);

        response.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await response.Content.ReadAsStringAsync()).ShouldContain("\"code\":\"invalid_transition\"");
    }

    [Fact]
    public async Task An_unpaid_trade_expires_by_itself_and_the_platform_order_is_closed()
    {
        var machine = await _stack.Simulator.CreateMachineAsync(products: 1, stock: 5);
        var trade = await _stack.CheckoutOkAsync(machine.MachineNo, (machine.Products[0].ProductId, 1));

        var expired = await _stack.WaitForAsync(trade.TradeId, Within, "expired");
        var order = await WaitForOrderAsync(trade.PlatformOrderId!.Value, "CLOSED");

        expired.Lines.ShouldAllBe(l => l.Status == "cancelled");
        order.Status.ShouldBe("CLOSED");
        (await _stack.Simulator.MachineAsync(machine.MachineNo)).Products[0].Stock.ShouldBe(5);
    }

    [Fact]
    public async Task A_payment_after_expiry_is_refunded_in_full_and_nothing_is_dispensed()
    {
        var machine = await _stack.Simulator.CreateMachineAsync(products: 2);
        var trade = await _stack.CheckoutOkAsync(machine.MachineNo, (machine.Products[0].ProductId, 1), (machine.Products[1].ProductId, 1));
        await _stack.WaitForAsync(trade.TradeId, Within, "expired");

        await _stack.PayAsync(trade.TradeId);
        var refunded = await _stack.WaitForAsync(trade.TradeId, Within, "refunded");

        refunded.RefundedAmount.ShouldBe(refunded.Amount);
        refunded.Lines.ShouldAllBe(l => l.Status == "refunded");
        (await _stack.DetailAsync(trade.TradeId)).Refunds.Count.ShouldBe(2);
        (await _stack.Simulator.CommandsAsync(machine.MachineNo)).Commands.ShouldBeEmpty();
    }

    [Fact]
    public async Task A_payment_after_cancel_is_refunded_in_full()
    {
        var machine = await _stack.Simulator.CreateMachineAsync(products: 1);
        var trade = await _stack.CheckoutOkAsync(machine.MachineNo, (machine.Products[0].ProductId, 1));
        (await _stack.Api.Storefront.PostAsync($"/api/v1/trades/{trade.TradeId}/cancel", null)).EnsureSuccessStatusCode();

        await _stack.PayAsync(trade.TradeId);
        var refunded = await _stack.WaitForAsync(trade.TradeId, Within, "refunded");

        refunded.RefundedAmount.ShouldBe("1.00");
        (await _stack.Simulator.CommandsAsync(machine.MachineNo)).Commands.ShouldBeEmpty();
    }

    [Fact]
    public async Task The_platform_refusing_the_payment_as_expired_refunds_in_full()
    {
        var machine = await _stack.Simulator.CreateMachineAsync(products: 1);
        await _stack.Simulator.SettingsAsync(new(null, null, 1, null));
        var trade = await _stack.CheckoutOkAsync(machine.MachineNo, (machine.Products[0].ProductId, 2));
        await Task.Delay(1500);

        await _stack.PayAsync(trade.TradeId);
        var refunded = await _stack.WaitForAsync(trade.TradeId, Within, "refunded");
        var detail = await _stack.DetailAsync(trade.TradeId);
        await _stack.Simulator.SettingsAsync(new(null, null, 1200, null));

        refunded.RefundedAmount.ShouldBe("2.00");
        detail.Timeline.ShouldContain(e => e.Summary.Contains("PUT status 1") && e.Outcome!.Contains("refused"));
        (await _stack.Simulator.CommandsAsync(machine.MachineNo)).Commands.ShouldBeEmpty();
    }

    private async Task<Vending.Platform.Simulator.Control.OrderView> WaitForOrderAsync(long orderId, string status)
    {
        for (var i = 0; i < 100; i++)
        {
            var order = await _stack.Simulator.OrderAsync(orderId);
            if (order.Status == status)
            {
                return order;
            }

            await Task.Delay(100);
        }

        return await _stack.Simulator.OrderAsync(orderId);
    }
}
