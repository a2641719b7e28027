using Vending.Platform.Simulator.Tests.Infrastructure;

namespace Vending.Platform.Simulator.Tests;

public sealed class ReplenishmentTests(SimulatorFixture fixture) : IClassFixture<SimulatorFixture>
{
    [Fact]
    public async Task Restocking_a_product_sets_its_stock()
    {
        var machine = await fixture.Control.CreateMachineAsync();

        var reply = await fixture.Platform.PostAsync("/replenishments", new()
        {
            ["machine_no"] = machine.MachineNo,
            ["method"] = "replenishment.product.id",
            ["product_id"] = machine.ProductId(0),
            ["current_inventory"] = 9,
        });

        reply.IsOk.ShouldBeTrue(reply.Raw);
        (await fixture.Control.StockAsync(machine.MachineNo, machine.ProductId(0))).ShouldBe(9);
    }

    [Fact]
    public async Task Restocking_beyond_the_slot_capacity_fails_with_code_0_and_a_message()
    {
        var machine = await fixture.Control.CreateMachineAsync();

        var reply = await fixture.Platform.PostAsync("/replenishments", new()
        {
            ["machine_no"] = machine.MachineNo,
            ["method"] = "replenishment.product.id",
            ["product_id"] = machine.ProductId(0),
            ["current_inventory"] = 11,
        });

        reply.Code.ShouldBe(0);
        reply.Message.ShouldBe("超出货道最大库存");
        reply.IsOk.ShouldBeFalse();
        (await fixture.Control.StockAsync(machine.MachineNo, machine.ProductId(0))).ShouldBe(5);
    }

    [Fact]
    public async Task Restocking_a_category_sets_every_slot_of_that_category()
    {
        var machine = await fixture.Control.CreateMachineAsync();

        var reply = await fixture.Platform.PostAsync("/replenishments", new()
        {
            ["machine_no"] = machine.MachineNo,
            ["method"] = "replenishment.category.id",
            ["category_id"] = 2,
            ["current_inventory"] = 4,
        });

        reply.IsOk.ShouldBeTrue(reply.Raw);
        (await fixture.Control.StockAsync(machine.MachineNo, machine.ProductId(0))).ShouldBe(5);
        (await fixture.Control.StockAsync(machine.MachineNo, machine.ProductId(1))).ShouldBe(4);
        (await fixture.Control.StockAsync(machine.MachineNo, machine.ProductId(2))).ShouldBe(4);
    }

    [Fact]
    public async Task Restocking_the_whole_machine_fills_every_slot()
    {
        var machine = await fixture.Control.CreateMachineAsync();

        var reply = await fixture.Platform.PostAsync("/replenishments", new()
        {
            ["machine_no"] = machine.MachineNo,
            ["method"] = "replenishment.machine.all",
        });

        reply.IsOk.ShouldBeTrue(reply.Raw);
        foreach (var product in machine.Products)
        {
            (await fixture.Control.StockAsync(machine.MachineNo, product.Id)).ShouldBe(product.Capacity);
        }
    }
}
