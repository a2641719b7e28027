namespace Vending.Platform.Tests.Integration;

public sealed class PickupCodeIntegrationTests(SimulatorHost sim) : IClassFixture<SimulatorHost>
{
    [Fact]
    public async Task Generated_codes_for_a_product_are_listed_until_cancelled()
    {
        var machine = await sim.Control.CreateMachineAsync(pickupCodes: true);
        var cola = machine.ProductIds[0];
        var expiresAt = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.AddDays(1).ToUnixTimeSeconds());

        var generated = await sim.Platform.GeneratePickupCodesAsync(
            new GeneratePickupCodesRequest(machine.MachineNo, cola) { Count = 2, CodeLength = 7, Quantity = 1, ExpiresAt = expiresAt });
        var listed = await sim.Platform.GetPickupCodesAsync(new QueryPickupCodesRequest(machine.MachineNo, cola));

        generated.Count.ShouldBe(2);
        generated.ShouldAllBe(c => c.Id > 0 && c.Code.Length == 7 && c.Status == PickupCodeStatus.Unused && c.Quantity == 1);
        generated.ShouldAllBe(c => c.ExpiredAt == PlatformClock.Format(expiresAt));
        listed.Select(c => (c.Id, c.Code)).ShouldBe(generated.Select(c => (c.Id, c.Code)));
    }

    [Fact]
    public async Task Cancelling_one_code_by_id_leaves_the_others()
    {
        var machine = await sim.Control.CreateMachineAsync(pickupCodes: true);
        var cola = machine.ProductIds[0];
        var generated = await sim.Platform.GeneratePickupCodesAsync(new GeneratePickupCodesRequest(machine.MachineNo, cola) { Count = 2 });

        await sim.Platform.CancelPickupCodesAsync(CancelPickupCodesRequest.ById(machine.MachineNo, generated[0].Id));

        var listed = await sim.Platform.GetPickupCodesAsync(new QueryPickupCodesRequest(machine.MachineNo, cola));
        listed.Select(c => c.Id).ShouldBe([generated[1].Id]);
    }

    [Fact]
    public async Task Generating_for_all_products_and_cancelling_all_empties_the_machine_codes()
    {
        var machine = await sim.Control.CreateMachineAsync(pickupCodes: true);
        var generated = await sim.Platform.GeneratePickupCodesAsync(new GeneratePickupCodesRequest(machine.MachineNo, null));

        await sim.Platform.CancelPickupCodesAsync(CancelPickupCodesRequest.All(machine.MachineNo));

        generated.Count.ShouldBe(machine.ProductIds.Count);
        generated.ShouldAllBe(c => c.Code.Length == 6);
        (await sim.Platform.GetPickupCodesAsync(new QueryPickupCodesRequest(machine.MachineNo, machine.ProductIds[0]))).ShouldBeEmpty();
    }

    [Fact]
    public async Task Cancelling_codes_when_there_are_none_is_not_found()
    {
        var machine = await sim.Control.CreateMachineAsync(pickupCodes: true);

        var error = await Should.ThrowAsync<PlatformException>(
            () => sim.Platform.CancelPickupCodesAsync(CancelPickupCodesRequest.All(machine.MachineNo)));

        error.Category.ShouldBe(PlatformErrorCategory.NotFound);
        error.Code.ShouldBe(80002);
    }

    [Fact]
    public async Task Consuming_a_code_returns_a_pickup_code_order_ready_to_dispense()
    {
        var machine = await sim.Control.CreateMachineAsync(pickupCodes: true);
        var chips = machine.ProductIds[1];
        var code = (await sim.Platform.GeneratePickupCodesAsync(new GeneratePickupCodesRequest(machine.MachineNo, chips)))[0];
        var tradeId = SimControl.NewTradeId();

        var order = await sim.Platform.ConsumePickupCodeAsync(
            new ConsumePickupCodeRequest(machine.MachineNo, code.Code, chips, sim.NotifyUrl, tradeId));

        order.OrderId.ShouldBeGreaterThan(0);
        order.TradeId.ShouldBe(tradeId);
        order.Status.ShouldBe(PlatformOrderStatus.PickupCode);
        order.PickupCodeId.ShouldBe(code.Id);
        order.AmountFen.ShouldBe(450);
        var record = order.Records.ShouldHaveSingleItem();
        record.ProductId.ShouldBe(chips);
        record.Status.ShouldBe(RecordStatus.WaitingPickedUp);
        (await sim.Control.StockAsync(machine.MachineNo, chips)).ShouldBe(4);
        (await sim.Platform.GetPickupCodesAsync(new QueryPickupCodesRequest(machine.MachineNo, chips))).ShouldBeEmpty();
    }

    [Fact]
    public async Task Consuming_a_used_code_names_the_earlier_order()
    {
        var machine = await sim.Control.CreateMachineAsync(pickupCodes: true);
        var cola = machine.ProductIds[0];
        var code = (await sim.Platform.GeneratePickupCodesAsync(new GeneratePickupCodesRequest(machine.MachineNo, cola)))[0];
        var first = await sim.Platform.ConsumePickupCodeAsync(
            new ConsumePickupCodeRequest(machine.MachineNo, code.Code, cola, sim.NotifyUrl, SimControl.NewTradeId()));

        var error = await Should.ThrowAsync<PlatformException>(() => sim.Platform.ConsumePickupCodeAsync(
            new ConsumePickupCodeRequest(machine.MachineNo, code.Code, cola, sim.NotifyUrl, SimControl.NewTradeId())));

        error.Category.ShouldBe(PlatformErrorCategory.PickupCodeUsed);
        error.Code.ShouldBe(10025);
        error.EarlierOrderId.ShouldBe(first.OrderId);
    }

    [Fact]
    public async Task Generating_codes_where_they_are_not_enabled_is_refused()
    {
        var machine = await sim.Control.CreateMachineAsync(pickupCodes: false);

        var error = await Should.ThrowAsync<PlatformException>(
            () => sim.Platform.GeneratePickupCodesAsync(new GeneratePickupCodesRequest(machine.MachineNo, machine.ProductIds[0])));

        error.Category.ShouldBe(PlatformErrorCategory.PickupCodesNotEnabled);
        error.Code.ShouldBe(10023);
    }
}
