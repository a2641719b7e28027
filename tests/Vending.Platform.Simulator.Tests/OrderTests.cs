using Vending.Platform.Simulator.Tests.Infrastructure;

namespace Vending.Platform.Simulator.Tests;

public sealed class OrderTests(SimulatorFixture fixture) : IClassFixture<SimulatorFixture>
{
    [Fact]
    public async Task Creating_an_order_holds_stock_and_leaves_it_unpaid()
    {
        var machine = await fixture.Control.CreateMachineAsync();

        var orderId = await fixture.CreateOrderAsync(machine.MachineNo, "orders", (machine.ProductId(0), 2), (machine.ProductId(1), 1));

        (await fixture.Control.StockAsync(machine.MachineNo, machine.ProductId(0))).ShouldBe(3);
        (await fixture.Control.StockAsync(machine.MachineNo, machine.ProductId(1))).ShouldBe(4);
        var order = await fixture.Platform.PostAsync($"/orders/{orderId}", new() { ["machine_no"] = machine.MachineNo });
        order.Data.GetProperty("status").GetString().ShouldBe("NOTPAY");
        order.Data.GetProperty("amount").GetString().ShouldBe("10.50");
        order.Data.TryGetProperty("notify_send_count", out _).ShouldBeFalse();
        var records = order.Data.GetProperty("records").EnumerateArray().ToList();
        records.Count.ShouldBe(2);
        records[0].GetProperty("price").GetString().ShouldBe("6.00");
        records[0].GetProperty("quantity").GetInt32().ShouldBe(2);
        records[0].TryGetProperty("status", out _).ShouldBeFalse();
        records[0].TryGetProperty("notify_sent", out _).ShouldBeFalse();
    }

    [Fact]
    public async Task Ordering_an_off_sale_product_answers_60002()
    {
        var machine = await fixture.Control.CreateMachineAsync();

        var reply = await CreateAsync(machine.MachineNo, SimulatorFixture.NewTradeId(), (machine.ProductId(3), 1));

        reply.Code.ShouldBe(60002);
    }

    [Fact]
    public async Task Ordering_more_than_the_stock_answers_60003_and_holds_nothing()
    {
        var machine = await fixture.Control.CreateMachineAsync();

        var reply = await CreateAsync(machine.MachineNo, SimulatorFixture.NewTradeId(), (machine.ProductId(0), 1), (machine.ProductId(2), 2));

        reply.Code.ShouldBe(60003);
        (await fixture.Control.StockAsync(machine.MachineNo, machine.ProductId(0))).ShouldBe(5);
        (await fixture.Control.StockAsync(machine.MachineNo, machine.ProductId(2))).ShouldBe(1);
    }

    [Fact]
    public async Task Ordering_on_an_offline_machine_answers_30002()
    {
        var machine = await fixture.Control.CreateMachineAsync(online: false);

        var reply = await CreateAsync(machine.MachineNo, SimulatorFixture.NewTradeId(), (machine.ProductId(0), 1));

        reply.Code.ShouldBe(30002);
    }

    [Fact]
    public async Task Reusing_a_trade_id_answers_6040()
    {
        var machine = await fixture.Control.CreateMachineAsync();
        var tradeId = SimulatorFixture.NewTradeId();
        (await CreateAsync(machine.MachineNo, tradeId, (machine.ProductId(0), 1))).IsOk.ShouldBeTrue();

        var reply = await CreateAsync(machine.MachineNo, tradeId, (machine.ProductId(0), 1));

        reply.Code.ShouldBe(6040);
        reply.Message.ShouldBe("trade id exists");
        (await fixture.Control.StockAsync(machine.MachineNo, machine.ProductId(0))).ShouldBe(4);
    }

    [Fact]
    public async Task Paying_marks_the_order_success_and_its_records_waiting_for_dispense()
    {
        var machine = await fixture.Control.CreateMachineAsync();
        var orderId = await fixture.CreateOrderAsync(machine.MachineNo, "orders", (machine.ProductId(0), 1));

        var paid = await UpdateAsync(machine.MachineNo, orderId, 1);

        paid.IsOk.ShouldBeTrue();
        paid.Data.GetString().ShouldBe("");
        var order = await fixture.Platform.PostAsync($"/orders/{orderId}", new() { ["machine_no"] = machine.MachineNo });
        order.Data.GetProperty("status").GetString().ShouldBe("SUCCESS");
        order.Data.GetProperty("records")[0].GetProperty("status").GetString().ShouldBe("WAITING_PICKED_UP");
    }

    [Fact]
    public async Task Closing_an_unpaid_order_releases_its_stock_without_a_callback()
    {
        var machine = await fixture.Control.CreateMachineAsync();
        var orderId = await fixture.CreateOrderAsync(machine.MachineNo, "closed", (machine.ProductId(0), 3));

        var closed = await UpdateAsync(machine.MachineNo, orderId, 3);

        closed.IsOk.ShouldBeTrue();
        (await fixture.Control.OrderAsync(orderId)).GetProperty("status").GetString().ShouldBe("CLOSED");
        (await fixture.Control.StockAsync(machine.MachineNo, machine.ProductId(0))).ShouldBe(5);
        await Task.Delay(200);
        (await fixture.Control.GetAsync($"/_sim/callbacks?order_id={orderId}")).GetArrayLength().ShouldBe(0);
    }

    [Theory]
    [InlineData(2, "REFUND")]
    [InlineData(4, "REVOKED")]
    [InlineData(5, "USERPAYING")]
    [InlineData(6, "PAYERROR")]
    public async Task Any_status_but_paid_invalidates_the_order_and_returns_stock(int status, string expected)
    {
        var machine = await fixture.Control.CreateMachineAsync();
        var orderId = await fixture.CreateOrderAsync(machine.MachineNo, "statuses", (machine.ProductId(1), 2));

        var reply = await UpdateAsync(machine.MachineNo, orderId, status);

        reply.IsOk.ShouldBeTrue();
        (await fixture.Control.OrderAsync(orderId)).GetProperty("status").GetString().ShouldBe(expected);
        (await fixture.Control.StockAsync(machine.MachineNo, machine.ProductId(1))).ShouldBe(5);
        (await UpdateAsync(machine.MachineNo, orderId, 1)).Code.ShouldBe(40006);
    }

    [Fact]
    public async Task Paying_twice_answers_40006()
    {
        var machine = await fixture.Control.CreateMachineAsync();
        var (orderId, _) = await fixture.CreatePaidOrderAsync(machine.MachineNo, "orders", (machine.ProductId(0), 1));

        var reply = await UpdateAsync(machine.MachineNo, orderId, 1);

        reply.Code.ShouldBe(40006);
        reply.Message.ShouldBe("order status invalid");
    }

    [Fact]
    public async Task Cancelling_a_paid_order_answers_40006_and_keeps_the_stock_held()
    {
        var machine = await fixture.Control.CreateMachineAsync();
        var (orderId, _) = await fixture.CreatePaidOrderAsync(machine.MachineNo, "orders", (machine.ProductId(0), 1));

        var reply = await UpdateAsync(machine.MachineNo, orderId, 3);

        reply.Code.ShouldBe(40006);
        (await fixture.Control.StockAsync(machine.MachineNo, machine.ProductId(0))).ShouldBe(4);
    }

    [Fact]
    public async Task Querying_an_unknown_order_or_through_another_machine_answers_80002()
    {
        var machine = await fixture.Control.CreateMachineAsync();
        var orderId = await fixture.CreateOrderAsync(machine.MachineNo, "orders", (machine.ProductId(0), 1));

        var unknown = await fixture.Platform.PostAsync("/orders/987654321", new() { ["machine_no"] = machine.MachineNo });
        var otherMachine = await fixture.Platform.PostAsync($"/orders/{orderId}", new() { ["machine_no"] = "16327129" });

        unknown.Code.ShouldBe(80002);
        otherMachine.Code.ShouldBe(80002);
    }

    [Fact]
    public async Task Creating_an_order_without_products_answers_10001()
    {
        var machine = await fixture.Control.CreateMachineAsync();

        var reply = await fixture.Platform.PostJsonAsync("/orders", new
        {
            machine_no = machine.MachineNo,
            notify_url = fixture.Receiver.UrlFor("orders"),
            trade_id = SimulatorFixture.NewTradeId(),
            products = Array.Empty<object>(),
        });

        reply.Code.ShouldBe(10001);
    }

    private Task<PlatformReply> CreateAsync(string machineNo, string tradeId, params (long ProductId, int Quantity)[] lines) =>
        fixture.Platform.PostJsonAsync("/orders", new
        {
            machine_no = machineNo,
            notify_url = fixture.Receiver.UrlFor("orders"),
            trade_id = tradeId,
            products = lines.Select(l => new { product_id = l.ProductId, quantity = l.Quantity }).ToArray(),
        });

    private Task<PlatformReply> UpdateAsync(string machineNo, long orderId, int status) =>
        fixture.Platform.PutAsync($"/orders/{orderId}", new() { ["machine_no"] = machineNo, ["status"] = status });
}
