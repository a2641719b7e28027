using System.Globalization;
using System.Text.Json;
using Vending.Platform.Simulator.Tests.Infrastructure;

namespace Vending.Platform.Simulator.Tests;

public sealed class PickupCodeTests(SimulatorFixture fixture) : IClassFixture<SimulatorFixture>
{
    [Fact]
    public async Task Generating_codes_on_a_machine_without_pickup_codes_answers_10023()
    {
        var machine = await fixture.Control.CreateMachineAsync();

        var reply = await GenerateAsync(machine.MachineNo, machine.ProductId(0));

        reply.Code.ShouldBe(10023);
    }

    [Fact]
    public async Task Generated_codes_are_listed_until_cancelled()
    {
        var machine = await fixture.Control.CreateMachineAsync(pickupCodes: true);

        var generated = await GenerateAsync(machine.MachineNo, machine.ProductId(0), count: 3, length: 8);

        generated.IsOk.ShouldBeTrue(generated.Raw);
        var codes = generated.Data.EnumerateArray().ToList();
        codes.Count.ShouldBe(3);
        codes.ShouldAllBe(c => c.GetProperty("code").GetString()!.Length == 8);
        codes.ShouldAllBe(c => c.GetProperty("status").GetString() == "UNUSED");
        (await ListAsync(machine.MachineNo, machine.ProductId(0))).Count.ShouldBe(3);
        var firstId = codes[0].GetProperty("id").GetInt64();
        (await CancelAsync(machine.MachineNo, "pickup_code.delete.id", firstId)).IsOk.ShouldBeTrue();
        (await ListAsync(machine.MachineNo, machine.ProductId(0))).Select(c => c.GetProperty("id").GetInt64()).ShouldNotContain(firstId);
        (await CancelAsync(machine.MachineNo, "pickup_code.delete.all")).IsOk.ShouldBeTrue();
        (await ListAsync(machine.MachineNo, machine.ProductId(0))).ShouldBeEmpty();
        (await CancelAsync(machine.MachineNo, "pickup_code.delete.all")).Code.ShouldBe(80002);
    }

    [Fact]
    public async Task Generating_for_all_products_makes_codes_for_each_product()
    {
        var machine = await fixture.Control.CreateMachineAsync(pickupCodes: true);

        var reply = await fixture.Platform.PostAsync("/pickup_codes", new()
        {
            ["machine_no"] = machine.MachineNo,
            ["method"] = "pickup_code.product.all",
            ["count"] = "2",
        });

        reply.Data.GetArrayLength().ShouldBe(machine.Products.Count * 2);
        reply.Data.EnumerateArray().Select(c => c.GetProperty("code").GetString()).Distinct().Count().ShouldBe(machine.Products.Count * 2);
    }

    [Fact]
    public async Task Expired_codes_are_not_listed()
    {
        var machine = await fixture.Control.CreateMachineAsync(pickupCodes: true);
        var past = DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(8)).AddDays(-1)
            .ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
        await GenerateAsync(machine.MachineNo, machine.ProductId(0), expiredAt: past);

        var codes = await ListAsync(machine.MachineNo, machine.ProductId(0));

        codes.ShouldBeEmpty();
    }

    [Fact]
    public async Task Consuming_a_code_returns_a_pickupcode_order_that_holds_stock_and_can_be_dispensed()
    {
        var machine = await fixture.Control.CreateMachineAsync(pickupCodes: true);
        var generated = (await GenerateAsync(machine.MachineNo, machine.ProductId(1), quantity: 2)).Data[0];
        var key = Guid.NewGuid().ToString("N");

        var reply = await ConsumeAsync(machine.MachineNo, generated.GetProperty("code").GetString()!, machine.ProductId(1), key);

        reply.IsOk.ShouldBeTrue(reply.Raw);
        reply.Data.GetProperty("status").GetString().ShouldBe("PICKUPCODE");
        reply.Data.GetProperty("pickup_code_id").GetInt64().ShouldBe(generated.GetProperty("id").GetInt64());
        var record = reply.Data.GetProperty("records").EnumerateArray().Single();
        record.GetProperty("quantity").GetInt32().ShouldBe(2);
        record.GetProperty("status").GetString().ShouldBe("WAITING_PICKED_UP");
        (await fixture.Control.StockAsync(machine.MachineNo, machine.ProductId(1))).ShouldBe(3);
        var orderId = reply.Data.GetProperty("order_id").GetInt64();
        (await fixture.DispenseAsync(machine.MachineNo, orderId, record.GetProperty("id").GetInt64())).IsOk.ShouldBeTrue();
        (await fixture.Receiver.WaitForAsync(key, 1)).Single().Body.GetProperty("deliver_status").GetString().ShouldBe("1");
    }

    [Fact]
    public async Task Consuming_a_used_code_answers_10025_with_the_earlier_order()
    {
        var machine = await fixture.Control.CreateMachineAsync(pickupCodes: true);
        var code = (await GenerateAsync(machine.MachineNo, machine.ProductId(0))).Data[0].GetProperty("code").GetString()!;
        var first = await ConsumeAsync(machine.MachineNo, code, machine.ProductId(0), "pickup");

        var second = await ConsumeAsync(machine.MachineNo, code, machine.ProductId(0), "pickup");

        second.Code.ShouldBe(10025);
        second.Data.GetProperty("order_id").GetInt64().ShouldBe(first.Data.GetProperty("order_id").GetInt64());
        (await ListAsync(machine.MachineNo, machine.ProductId(0))).ShouldBeEmpty();
    }

    [Fact]
    public async Task Consuming_an_unknown_or_cancelled_code_answers_80002()
    {
        var machine = await fixture.Control.CreateMachineAsync(pickupCodes: true);
        var code = (await GenerateAsync(machine.MachineNo, machine.ProductId(0))).Data[0].GetProperty("code").GetString()!;
        await CancelAsync(machine.MachineNo, "pickup_code.delete.all");

        var cancelled = await ConsumeAsync(machine.MachineNo, code, machine.ProductId(0), "pickup");
        var unknown = await ConsumeAsync(machine.MachineNo, "000000", machine.ProductId(0), "pickup");

        cancelled.Code.ShouldBe(80002);
        unknown.Code.ShouldBe(80002);
    }

    private Task<PlatformReply> GenerateAsync(
        string machineNo, long productId, int count = 1, int length = 6, int quantity = 1, string? expiredAt = null) =>
        fixture.Platform.PostAsync("/pickup_codes", new()
        {
            ["machine_no"] = machineNo,
            ["method"] = "pickup_code.product.id",
            ["product_id"] = productId,
            ["count"] = count,
            ["code_length"] = length,
            ["quantity"] = quantity,
            ["expired_at"] = expiredAt,
        });

    private async Task<List<JsonElement>> ListAsync(string machineNo, long productId)
    {
        var reply = await fixture.Platform.PostAsync($"/products/{productId}/pickup_code", new() { ["machine_no"] = machineNo });
        reply.IsOk.ShouldBeTrue(reply.Raw);
        return reply.Data.EnumerateArray().ToList();
    }

    private Task<PlatformReply> CancelAsync(string machineNo, string method, long? id = null) =>
        fixture.Platform.PutAsync("/pickup_codes", new()
        {
            ["machine_no"] = machineNo,
            ["method"] = method,
            ["id"] = id,
        });

    private Task<PlatformReply> ConsumeAsync(string machineNo, string code, long productId, string key) =>
        fixture.Platform.PostAsync("/consumes", new()
        {
            ["machine_no"] = machineNo,
            ["method"] = "event.consume.pickup_code",
            ["code"] = code,
            ["product_id"] = productId,
            ["notify_url"] = fixture.Receiver.UrlFor(key),
            ["trade_id"] = SimulatorFixture.NewTradeId(),
        });
}
