namespace Vending.Platform.Tests.Integration;

public sealed class OrderIntegrationTests(SimulatorHost sim) : IClassFixture<SimulatorHost>
{
    private static string PlatformToday => PlatformClock.Format(DateTimeOffset.UtcNow)[..10];

    [Fact]
    public async Task A_created_order_is_unpaid_holds_stock_and_reads_back_in_fen()
    {
        var machine = await sim.Control.CreateMachineAsync();
        var (cola, chips) = (machine.ProductIds[0], machine.ProductIds[1]);
        var tradeId = SimControl.NewTradeId();
        var dayBefore = PlatformToday;

        var created = await sim.Platform.CreateOrderAsync(
            new CreateOrderRequest(machine.MachineNo, sim.NotifyUrl, tradeId, [new OrderProduct(cola, 2), new OrderProduct(chips, 1)]));
        var order = await sim.Platform.GetOrderAsync(new QueryOrderRequest(machine.MachineNo, created.OrderId));

        created.OrderId.ShouldBeGreaterThan(0);
        order.OrderId.ShouldBe(created.OrderId);
        order.TradeId.ShouldBe(tradeId);
        order.Status.ShouldBe(PlatformOrderStatus.NotPay);
        order.Amount.ShouldBe("10.50");
        order.AmountFen.ShouldBe(1050);
        new[] { dayBefore, PlatformToday }.ShouldContain(order.Date);
        order.NotifySendCount.ShouldBe(0);
        order.Records.Select(r => (r.ProductId, r.Quantity, r.PriceFen)).ShouldBe([(cola, 2, 600L), (chips, 1, 450L)]);
        order.Records.ShouldAllBe(r => r.RecordId > 0 && r.Status == RecordStatus.Unknown && !r.NotifySent);
        (await sim.Control.StockAsync(machine.MachineNo, cola)).ShouldBe(3);
    }

    [Fact]
    public async Task Paying_an_order_releases_its_records_for_dispensing()
    {
        var machine = await sim.Control.CreateMachineAsync();
        var orderId = await CreateOrderAsync(machine.MachineNo, machine.ProductIds[0]);

        await sim.Platform.UpdateOrderAsync(new UpdateOrderRequest(machine.MachineNo, orderId, OrderUpdateStatus.Paid));

        var order = await sim.Platform.GetOrderAsync(new QueryOrderRequest(machine.MachineNo, orderId));
        order.Status.ShouldBe(PlatformOrderStatus.Success);
        order.Records.ShouldAllBe(r => r.Status == RecordStatus.WaitingPickedUp);
    }

    [Fact]
    public async Task Closing_an_unpaid_order_returns_its_stock()
    {
        var machine = await sim.Control.CreateMachineAsync();
        var cola = machine.ProductIds[0];
        var orderId = await CreateOrderAsync(machine.MachineNo, cola, quantity: 3);
        var held = await sim.Control.StockAsync(machine.MachineNo, cola);

        await sim.Platform.UpdateOrderAsync(new UpdateOrderRequest(machine.MachineNo, orderId, OrderUpdateStatus.Closed));

        held.ShouldBe(2);
        (await sim.Control.StockAsync(machine.MachineNo, cola)).ShouldBe(5);
        (await sim.Platform.GetOrderAsync(new QueryOrderRequest(machine.MachineNo, orderId))).Status.ShouldBe(PlatformOrderStatus.Closed);
    }

    [Fact]
    public async Task Paying_an_order_twice_is_order_status_invalid()
    {
        var machine = await sim.Control.CreateMachineAsync();
        var orderId = await CreateOrderAsync(machine.MachineNo, machine.ProductIds[0]);
        var pay = new UpdateOrderRequest(machine.MachineNo, orderId, OrderUpdateStatus.Paid);
        await sim.Platform.UpdateOrderAsync(pay);

        var error = await Should.ThrowAsync<PlatformException>(() => sim.Platform.UpdateOrderAsync(pay));

        error.Category.ShouldBe(PlatformErrorCategory.OrderStatusInvalid);
        error.Code.ShouldBe(40006);
    }

    [Fact]
    public async Task A_reused_trade_id_is_a_duplicate()
    {
        var machine = await sim.Control.CreateMachineAsync();
        var request = new CreateOrderRequest(machine.MachineNo, sim.NotifyUrl, SimControl.NewTradeId(), [new OrderProduct(machine.ProductIds[0], 1)]);
        var first = await sim.Platform.CreateOrderAsync(request);

        var error = await Should.ThrowAsync<PlatformException>(() => sim.Platform.CreateOrderAsync(request));

        error.Category.ShouldBe(PlatformErrorCategory.DuplicateTradeId);
        error.Code.ShouldBe(6040);
        error.OutcomeUnknown.ShouldBeFalse();
        var orders = await sim.Control.OrdersAsync(machine.MachineNo);
        orders.EnumerateArray().Select(o => o.GetProperty("order_id").GetInt64()).ShouldBe([first.OrderId]);
    }

    [Fact]
    public async Task Ordering_an_off_sale_product_is_off_sale()
    {
        var machine = await sim.Control.CreateMachineAsync();

        var error = await Should.ThrowAsync<PlatformException>(() => CreateOrderAsync(machine.MachineNo, machine.ProductIds[3]));

        error.Category.ShouldBe(PlatformErrorCategory.OffSale);
        error.Code.ShouldBe(60002);
    }

    [Fact]
    public async Task Ordering_more_than_the_stock_is_insufficient_stock_and_holds_nothing()
    {
        var machine = await sim.Control.CreateMachineAsync();
        var gum = machine.ProductIds[2];

        var error = await Should.ThrowAsync<PlatformException>(() => CreateOrderAsync(machine.MachineNo, gum, quantity: 2));

        error.Category.ShouldBe(PlatformErrorCategory.InsufficientStock);
        error.Code.ShouldBe(60003);
        (await sim.Control.StockAsync(machine.MachineNo, gum)).ShouldBe(1);
    }

    [Fact]
    public async Task Ordering_from_an_offline_machine_is_machine_offline()
    {
        var machine = await sim.Control.CreateMachineAsync(online: false);

        var error = await Should.ThrowAsync<PlatformException>(() => CreateOrderAsync(machine.MachineNo, machine.ProductIds[0]));

        error.Category.ShouldBe(PlatformErrorCategory.MachineOffline);
        error.Code.ShouldBe(30002);
    }

    [Fact]
    public async Task Ordering_from_an_unknown_machine_is_machine_not_found()
    {
        var error = await Should.ThrowAsync<PlatformException>(() => CreateOrderAsync("99999997", 1323442));

        error.Category.ShouldBe(PlatformErrorCategory.MachineNotFound);
        error.Code.ShouldBe(30003);
    }

    private async Task<long> CreateOrderAsync(string machineNo, long productId, int quantity = 1)
    {
        var created = await sim.Platform.CreateOrderAsync(
            new CreateOrderRequest(machineNo, sim.NotifyUrl, SimControl.NewTradeId(), [new OrderProduct(productId, quantity)]));
        return created.OrderId;
    }
}
