using System.Net;
using System.Text.Json;
using Merchant.Reliability.Tests.Infrastructure;

namespace Merchant.Reliability.Tests.Faults;

/// <summary>
/// Step "query" (POST /orders/{id}, safe to repeat): at checkout (pricing the new order) and when polling for a
/// result no callback brought. Callbacks are dropped here, so every line is settled by query-order alone.
/// </summary>
[Collection("faults-b")]
public sealed class QueryFaultTests : IAsyncLifetime
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(45);
    private Rig _rig = null!;

    public async Task InitializeAsync() => _rig = await Rig.StartAsync(databasePrefix: "f_query");

    public async Task DisposeAsync() => await _rig.DisposeAsync();

    [Fact]
    public async Task A_failing_query_right_after_create_order_rejects_the_checkout_and_closes_the_platform_order()
    {
        var machine = await _rig.Simulator.CreateMachineAsync(products: 1);
        // Three: the first attempt and both retries of this safe call.
        await _rig.Simulator.EndpointFaultAsync("orders.query", "error500", 3, machine.MachineNo);
        Figures.Fault("orders.query.error500", 3);

        using var response = await _rig.Shop.CheckoutAsync(machine.MachineNo, [(machine.Products[0].ProductId, 1)]);
        var problem = JsonSerializer.Deserialize<JsonElement>(await response.Content.ReadAsStringAsync());
        var tradeId = problem.GetProperty("trade_id").GetString()!;
        var closed = await WaitForOrderStatusAsync(tradeId, "CLOSED");

        response.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        (await _rig.Shop.TradeAsync(tradeId)).Status.ShouldBe("rejected");
        closed.StockHeld.ShouldBe(0);
        await _rig.VerifyAsync(nameof(A_failing_query_right_after_create_order_rejects_the_checkout_and_closes_the_platform_order));
    }

    [Theory]
    [InlineData("error500", 4, null)]
    [InlineData("hang", 2, 4000)]
    [InlineData("slow", 3, 1000)]
    public async Task Polls_that_fail_or_hang_are_repeated_until_the_platform_answers(string mode, int count, int? delayMs)
    {
        var machine = await _rig.Simulator.CreateMachineAsync(products: 1);
        await _rig.Simulator.FailNextDispensesAsync(machine.MachineNo, 1);
        var trade = await _rig.Shop.CheckoutOkAsync(machine.MachineNo, (machine.Products[0].ProductId, 3));
        await _rig.Simulator.CallbackFaultAsync(machine.MachineNo, "drop", 10);
        await _rig.Simulator.EndpointFaultAsync("orders.query", mode, count, machine.MachineNo, delayMs);
        Figures.Fault($"orders.query.{mode}", count);
        Figures.Fault("callback.drop", 3);

        await _rig.Shop.PayAsync(trade.TradeId);
        var done = await _rig.Shop.WaitForAsync(trade.TradeId, Within, "partially_refunded");

        done.Lines.Count(l => l.Status == "refunded").ShouldBe(1);
        done.Lines.Count(l => l.Status == "dispensed").ShouldBe(2);
        (await _rig.Simulator.CommandsAsync(machine.MachineNo)).Commands.Count.ShouldBe(3);
        await _rig.VerifyAsync($"{nameof(Polls_that_fail_or_hang_are_repeated_until_the_platform_answers)}({mode})");
    }

    [Fact]
    public async Task Connection_refused_while_polling_delays_the_result_but_loses_nothing()
    {
        var machine = await _rig.Simulator.CreateMachineAsync(products: 1);
        var trade = await _rig.Shop.CheckoutOkAsync(machine.MachineNo, (machine.Products[0].ProductId, 1));
        await _rig.Simulator.CallbackFaultAsync(machine.MachineNo, "drop", 10);
        Figures.Fault("callback.drop");

        await _rig.Shop.PayAsync(trade.TradeId);
        await _rig.Simulator.WaitForCommandsAsync(machine.MachineNo, 1, Within);
        _rig.Gate.Close();
        Figures.Fault("orders.query.connection_refused");
        await Eventually.HoldsAsync(async () => (await _rig.Shop.DetailAsync(trade.TradeId)).Jobs.Any(j => j.Kind == "poll_line" && j.Attempts >= 2),
            Within, "the poll was refused twice");
        var whileRefused = await _rig.Shop.TradeAsync(trade.TradeId);
        _rig.Gate.Open();
        var done = await _rig.Shop.WaitForAsync(trade.TradeId, Within, "completed");

        whileRefused.Lines.Single().Status.ShouldBe("dispensing");
        done.Lines.Single().Status.ShouldBe("dispensed");
        await _rig.VerifyAsync(nameof(Connection_refused_while_polling_delays_the_result_but_loses_nothing));
    }

    private async Task<Vending.Platform.Simulator.Control.OrderView> WaitForOrderStatusAsync(string tradeId, string status)
    {
        var deadline = DateTime.UtcNow + Within;
        while (true)
        {
            var order = (await _rig.Simulator.OrdersOfTradeAsync(tradeId)).ShouldHaveSingleItem();
            if (order.Status == status || DateTime.UtcNow > deadline)
            {
                order.Status.ShouldBe(status);
                return order;
            }

            await Task.Delay(100);
        }
    }
}
