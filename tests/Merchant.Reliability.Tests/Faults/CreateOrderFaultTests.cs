using System.Net;
using System.Text.Json;
using Merchant.Reliability.Tests.Infrastructure;

namespace Merchant.Reliability.Tests.Faults;

/// <summary>Step "create order" (POST /orders, not repeatable): every ambiguous failure rejects the checkout; nothing is charged.</summary>
[Collection("faults-a")]
public sealed class CreateOrderFaultTests : IAsyncLifetime
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(30);
    private Rig _rig = null!;

    public async Task InitializeAsync() => _rig = await Rig.StartAsync(databasePrefix: "f_create");

    public async Task DisposeAsync() => await _rig.DisposeAsync();

    [Fact]
    public async Task A_500_from_create_order_rejects_the_checkout_and_creates_no_platform_order()
    {
        var machine = await _rig.Simulator.CreateMachineAsync(products: 1);
        await _rig.Simulator.EndpointFaultAsync("orders.create", "error500", 1, machine.MachineNo);
        Figures.Fault("orders.create.error500");

        var (status, problem) = await CheckoutAsync(machine.MachineNo, machine.Products[0].ProductId);
        var tradeId = problem.GetProperty("trade_id").GetString()!;
        var trade = await _rig.Shop.TradeAsync(tradeId);

        status.ShouldBe(HttpStatusCode.ServiceUnavailable);
        problem.GetProperty("code").GetString().ShouldBe("platform_unavailable");
        trade.Status.ShouldBe("rejected");
        (await _rig.Simulator.OrdersOfTradeAsync(tradeId)).ShouldBeEmpty();
        await _rig.VerifyAsync(nameof(A_500_from_create_order_rejects_the_checkout_and_creates_no_platform_order));
    }

    // The platform created the order; its answer came back as a 500, never came (held past the client's timeout), or the
    // connection dropped: the checkout cannot know, so it is rejected, and the orphan expires on the platform unpaid.
    [Theory]
    [InlineData("error500_after", null)]
    [InlineData("hang_after", 5000)]
    [InlineData("drop_after", null)]
    public async Task A_create_order_executed_without_its_answer_reaching_us_rejects_and_its_orphan_order_is_never_paid_or_dispensed(
        string mode, int? delayMs)
    {
        var machine = await _rig.Simulator.CreateMachineAsync(products: 1);
        await _rig.Simulator.EndpointFaultAsync("orders.create", mode, 1, machine.MachineNo, delayMs);
        Figures.Fault($"orders.create.{mode}");

        var (status, problem) = await CheckoutAsync(machine.MachineNo, machine.Products[0].ProductId);
        var tradeId = problem.GetProperty("trade_id").GetString()!;
        var retry = await _rig.Shop.CheckoutOkAsync(machine.MachineNo, (machine.Products[0].ProductId, 1));
        await _rig.Shop.PayAsync(retry.TradeId);
        await _rig.Shop.WaitForAsync(retry.TradeId, Within, "completed");
        var orphan = (await _rig.Simulator.OrdersOfTradeAsync(tradeId)).ShouldHaveSingleItem();

        status.ShouldBe(HttpStatusCode.ServiceUnavailable);
        (await _rig.Shop.TradeAsync(tradeId)).Status.ShouldBe("rejected");
        // NOTE (README): the orphan holds its stock until the platform invalidates it within 20 minutes.
        orphan.Status.ShouldBe("NOTPAY");
        (await _rig.Simulator.CommandsAsync(machine.MachineNo)).Commands.ShouldAllBe(c => c.OrderId != orphan.OrderId);
        await _rig.VerifyAsync($"{nameof(A_create_order_executed_without_its_answer_reaching_us_rejects_and_its_orphan_order_is_never_paid_or_dispensed)}({mode})");
    }

    [Fact]
    public async Task A_create_order_hanging_past_the_client_timeout_rejects_the_checkout()
    {
        var machine = await _rig.Simulator.CreateMachineAsync(products: 1);
        await _rig.Simulator.EndpointFaultAsync("orders.create", "hang", 1, machine.MachineNo, delayMs: 5000);
        Figures.Fault("orders.create.hang");

        var (status, problem) = await CheckoutAsync(machine.MachineNo, machine.Products[0].ProductId);
        var tradeId = problem.GetProperty("trade_id").GetString()!;

        status.ShouldBe(HttpStatusCode.ServiceUnavailable);
        (await _rig.Shop.TradeAsync(tradeId)).Status.ShouldBe("rejected");
        (await _rig.Simulator.OrdersOfTradeAsync(tradeId)).ShouldBeEmpty();
        await _rig.VerifyAsync(nameof(A_create_order_hanging_past_the_client_timeout_rejects_the_checkout));
    }

    [Fact]
    public async Task A_slow_create_order_within_the_timeout_checks_out_and_completes()
    {
        var machine = await _rig.Simulator.CreateMachineAsync(products: 1);
        await _rig.Simulator.EndpointFaultAsync("orders.create", "slow", 1, machine.MachineNo, delayMs: 1000);
        Figures.Fault("orders.create.slow");

        var trade = await _rig.Shop.CheckoutOkAsync(machine.MachineNo, (machine.Products[0].ProductId, 2));
        await _rig.Shop.PayAsync(trade.TradeId);
        var done = await _rig.Shop.WaitForAsync(trade.TradeId, Within, "completed");

        done.Lines.ShouldAllBe(l => l.Status == "dispensed");
        await _rig.VerifyAsync(nameof(A_slow_create_order_within_the_timeout_checks_out_and_completes));
    }

    [Fact]
    public async Task Connection_refused_at_checkout_answers_503_and_the_next_checkout_after_recovery_completes()
    {
        var machine = await _rig.Simulator.CreateMachineAsync(products: 1);
        _rig.Gate.Close();
        Figures.Fault("orders.create.connection_refused");

        var (status, problem) = await CheckoutAsync(machine.MachineNo, machine.Products[0].ProductId);
        _rig.Gate.Open();
        var trade = await _rig.Shop.CheckoutOkAsync(machine.MachineNo, (machine.Products[0].ProductId, 1));
        await _rig.Shop.PayAsync(trade.TradeId);
        await _rig.Shop.WaitForAsync(trade.TradeId, Within, "completed");

        status.ShouldBe(HttpStatusCode.ServiceUnavailable);
        problem.GetProperty("code").GetString().ShouldBe("platform_unavailable");
        if (problem.TryGetProperty("trade_id", out var refused))
        {
            (await _rig.Shop.TradeAsync(refused.GetString()!)).Status.ShouldBe("rejected");
            (await _rig.Simulator.OrdersOfTradeAsync(refused.GetString()!)).ShouldBeEmpty();
        }

        await _rig.VerifyAsync(nameof(Connection_refused_at_checkout_answers_503_and_the_next_checkout_after_recovery_completes));
    }

    [Fact]
    public async Task A_failing_product_listing_answers_503_before_any_trade_or_order_exists()
    {
        var machine = await _rig.Simulator.CreateMachineAsync(products: 1);
        // Three: the first attempt and both retries of this safe call.
        await _rig.Simulator.EndpointFaultAsync("products", "error500", 3, machine.MachineNo);
        Figures.Fault("products.error500", 3);

        var (status, problem) = await CheckoutAsync(machine.MachineNo, machine.Products[0].ProductId);

        status.ShouldBe(HttpStatusCode.ServiceUnavailable);
        problem.GetProperty("code").GetString().ShouldBe("platform_unavailable");
        problem.TryGetProperty("trade_id", out _).ShouldBeFalse();
        (await _rig.Simulator.OrdersAsync(machine.MachineNo)).ShouldBeEmpty();
        await _rig.VerifyAsync(nameof(A_failing_product_listing_answers_503_before_any_trade_or_order_exists));
    }

    private async Task<(HttpStatusCode Status, JsonElement Problem)> CheckoutAsync(string machineNo, long productId)
    {
        using var response = await _rig.Shop.CheckoutAsync(machineNo, [(productId, 1)]);
        var body = await response.Content.ReadAsStringAsync();
        response.Content.Headers.ContentType?.MediaType.ShouldBe("application/problem+json", body);
        return (response.StatusCode, JsonSerializer.Deserialize<JsonElement>(body));
    }
}
