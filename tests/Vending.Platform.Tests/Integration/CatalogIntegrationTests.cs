namespace Vending.Platform.Tests.Integration;

public sealed class CatalogIntegrationTests(SimulatorHost sim) : IClassFixture<SimulatorHost>
{
    [Fact]
    public async Task Ping_reaches_the_platform_with_valid_credentials()
    {
        var before = await sim.Control.RequestCountAsync("ping");

        await sim.Platform.PingAsync();

        (await sim.Control.RequestCountAsync("ping")).ShouldBe(before + 1);
    }

    [Fact]
    public async Task A_wrong_app_secret_is_an_auth_failure()
    {
        var platform = sim.CreatePlatform(options => options.AppSecret = "not-the-secret");

        var error = await Should.ThrowAsync<PlatformException>(() => platform.PingAsync());

        error.Category.ShouldBe(PlatformErrorCategory.Auth);
        error.Code.ShouldBe(10013);
        error.HttpStatus.ShouldBe(401);
        error.OutcomeUnknown.ShouldBeFalse();
    }

    [Fact]
    public async Task Listing_machines_reads_an_omitted_is_online_as_offline()
    {
        var online = await sim.Control.CreateMachineAsync(name: "Lobby");
        var offline = await sim.Control.CreateMachineAsync(online: false, name: "Basement");
        var wire = await sim.Control.RawPlatformAsync("rent/machines");

        var machines = await sim.Platform.ListMachinesAsync();

        wire.GetProperty("data").EnumerateArray()
            .Single(m => m.GetProperty("machine_no").GetString() == offline.MachineNo)
            .TryGetProperty("is_online", out _).ShouldBeFalse("the platform omits false fields");
        var lobby = machines.Single(m => m.MachineNo == online.MachineNo);
        lobby.IsOnline.ShouldBeTrue();
        lobby.IsOperating.ShouldBeTrue();
        lobby.MachineName.ShouldBe("Lobby");
        lobby.CreatedAt.ShouldMatch(@"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$");
        var basement = machines.Single(m => m.MachineNo == offline.MachineNo);
        basement.IsOnline.ShouldBeFalse();
        basement.MachineName.ShouldBe("Basement");
        machines.Single(m => m.MachineNo == "16327133").IsOnline.ShouldBeFalse();
    }

    [Fact]
    public async Task Machine_detail_carries_model_categories_merchant_and_currency()
    {
        var machine = await sim.Control.CreateMachineAsync(name: "Detail");

        var detail = await sim.Platform.GetMachineAsync(machine.MachineNo);

        detail.MachineNo.ShouldBe(machine.MachineNo);
        detail.MachineName.ShouldBe("Detail");
        detail.IsOnline.ShouldBeTrue();
        detail.MachineType.ShouldBe(MachineType.Vending);
        detail.Model.CabinetNames.ShouldBe(["A"]);
        detail.Categories.Select(c => c.Id).ShouldBe([1L, 2L]);
        detail.Categories.ShouldAllBe(c => c.Title.Length > 0);
        detail.Merchant.Name.ShouldNotBeNullOrWhiteSpace();
        detail.Currency.Code.ShouldBe("CNY");
    }

    [Fact]
    public async Task Machine_detail_of_an_unknown_machine_is_machine_not_found()
    {
        var error = await Should.ThrowAsync<PlatformException>(() => sim.Platform.GetMachineAsync("99999998"));

        error.Category.ShouldBe(PlatformErrorCategory.MachineNotFound);
        error.Code.ShouldBe(30003);
    }

    [Fact]
    public async Task Machine_detail_of_an_offline_machine_is_machine_offline()
    {
        var machine = await sim.Control.CreateMachineAsync(online: false);

        var error = await Should.ThrowAsync<PlatformException>(() => sim.Platform.GetMachineAsync(machine.MachineNo));

        error.Category.ShouldBe(PlatformErrorCategory.MachineOffline);
        error.Code.ShouldBe(30002);
    }

    [Fact]
    public async Task Floors_list_every_slot_with_its_product_and_stock_even_when_rows_nest_them()
    {
        var products = Enumerable.Range(1, 10).Select(i => new SimProduct($"Item {i}", "1.00", Stock: 1)).ToList();
        var machine = await sim.Control.CreateMachineAsync(products);

        var floors = await sim.Platform.GetFloorsAsync(new FloorsRequest(machine.MachineNo) { CabinetName = "A" });

        // The simulator nests slots as channels[] under each row; the SDK flattens them and keeps the row's cabinet and addr.
        floors.Count.ShouldBe(10);
        floors.Select(f => f.ProductId).ShouldBe(machine.ProductIds);
        floors.ShouldAllBe(f => f.CabinetName == "A" && f.Name.Length > 0 && f.CurrentInventory == 1 && f.Capacity > 0);
        floors.Select(f => f.Addr).Distinct().ShouldBe(["1", "2"]);
        floors.ShouldAllBe(f => f.FloorStatus == 1 && f.ProductName.StartsWith("Item "));
    }

    [Fact]
    public async Task Banners_are_the_approved_visible_ones_with_every_field_read()
    {
        var machine = await sim.Control.CreateMachineAsync();
        await sim.Control.SetBannersAsync(machine.MachineNo,
        [
            new(88001, "https://cdn.example/new.jpg", SortId: 0),
            new(88002, "https://cdn.example/summer.jpg", SortId: 20, HitCount: 7, ViewsCount: 310),
            new(88003, "https://cdn.example/hidden.jpg", SortId: 90, Visible: false),
            new(88004, "https://cdn.example/draft.jpg", SortId: 80, Status: "PENDING"),
        ]);

        var banners = await sim.Platform.GetBannersAsync(machine.MachineNo);

        // The zero sort_id and counts of 88001 never reach the wire (CONTRACT §1); they read as 0.
        banners.ShouldBe(
        [
            new Banner { Id = 88002, Status = "APPROVED", IsVisible = true, CoverImage = "https://cdn.example/summer.jpg", SortId = 20, HitCount = 7, ViewsCount = 310 },
            new Banner { Id = 88001, Status = "APPROVED", IsVisible = true, CoverImage = "https://cdn.example/new.jpg" },
        ]);
    }

    [Fact]
    public async Task Banners_of_a_machine_without_any_are_an_empty_list()
    {
        var machine = await sim.Control.CreateMachineAsync();
        var wire = await sim.Control.RawPlatformAsync("banners", new Dictionary<string, string> { ["machine_no"] = machine.MachineNo });

        var banners = await sim.Platform.GetBannersAsync(machine.MachineNo);

        wire.GetProperty("data").GetRawText().ShouldBe("[]");
        banners.ShouldBeEmpty();
    }

    [Fact]
    public async Task Banners_of_an_unknown_machine_are_machine_not_found()
    {
        var error = await Should.ThrowAsync<PlatformException>(() => sim.Platform.GetBannersAsync("99999997"));

        error.Category.ShouldBe(PlatformErrorCategory.MachineNotFound);
        error.Code.ShouldBe(30003);
    }

    [Fact]
    public async Task Products_page_through_the_on_sale_items_with_live_stock_and_prices()
    {
        var products = Enumerable.Range(1, 11).Select(i => new SimProduct($"Item {i}", $"{i}.50", Stock: i % 5, Capacity: 8))
            .Append(new SimProduct("Withdrawn", "9.00", Stock: 3, OnSale: false))
            .ToList();
        var machine = await sim.Control.CreateMachineAsync(products);

        var first = await sim.Platform.GetProductsAsync(new ProductsRequest(machine.MachineNo) { PerPage = 5 });
        var last = await sim.Platform.GetProductsAsync(new ProductsRequest(machine.MachineNo) { Page = 3, PerPage = 5 });

        first.Total.ShouldBe(11);
        first.CurrentPage.ShouldBe(1);
        first.LastPage.ShouldBe(3);
        first.PerPage.ShouldBe(5);
        first.Items.Select(p => p.ProductId).ShouldBe(machine.ProductIds.Take(5));
        var item = first.Items[1];
        item.Good.Name.ShouldBe("Item 2");
        item.Good.PriceFen.ShouldBe(250);
        item.CurrentInventory.ShouldBe(2);
        item.Inventory.ShouldBe(8);
        item.Category.Id.ShouldBe(1);
        item.Channel.Name.ShouldBe("A12");
        item.Channel.CabinetName.ShouldBe("A");
        item.Channel.Addr.ShouldBe("1");
        last.CurrentPage.ShouldBe(3);
        last.Items.Select(p => p.Good.Name).ShouldBe(["Item 11"]);
    }

    [Fact]
    public async Task Products_include_off_sale_items_when_selecting_all()
    {
        var machine = await sim.Control.CreateMachineAsync();

        var page = await sim.Platform.GetProductsAsync(new ProductsRequest(machine.MachineNo) { SelectAll = true });

        page.Items.Select(p => p.ProductId).ShouldBe(machine.ProductIds);
        page.Items.ShouldContain(p => p.Good.Name == "Old Candy");
    }

    [Fact]
    public async Task Products_read_an_empty_list_sent_as_a_bare_array()
    {
        var machine = await sim.Control.CreateMachineAsync();
        var wire = await sim.Control.RawPlatformAsync("products", new Dictionary<string, string>
        {
            ["machine_no"] = machine.MachineNo,
            ["category_id"] = "4",
        });

        var page = await sim.Platform.GetProductsAsync(new ProductsRequest(machine.MachineNo) { CategoryId = 4 });

        wire.GetProperty("data").GetRawText().ShouldBe("[]");
        page.Items.ShouldBeEmpty();
        page.Total.ShouldBe(0);
    }

    [Fact]
    public async Task Products_filter_by_category()
    {
        var machine = await sim.Control.CreateMachineAsync();

        var page = await sim.Platform.GetProductsAsync(new ProductsRequest(machine.MachineNo) { CategoryId = 2 });

        page.Items.Select(p => p.Good.Name).ShouldBe(["Chips", "Gum"]);
        page.Items.ShouldAllBe(p => p.Category.Id == 2);
    }

    [Fact]
    public async Task Categories_are_those_of_the_machine_products()
    {
        var machine = await sim.Control.CreateMachineAsync(
            [new SimProduct("Water", "2.00", 3, CategoryId: 1), new SimProduct("Sandwich", "12.00", 3, CategoryId: 3)]);

        var categories = await sim.Platform.GetCategoriesAsync(machine.MachineNo);

        categories.Select(c => c.Id).ShouldBe([1L, 3L]);
        categories.ShouldAllBe(c => c.Title.Length > 0);
    }

    [Fact]
    public async Task Restocking_a_product_sets_its_stock()
    {
        var machine = await sim.Control.CreateMachineAsync();
        var cola = machine.ProductIds[0];

        await sim.Platform.RestockAsync(RestockRequest.ForProduct(machine.MachineNo, cola, 9));

        (await sim.Control.StockAsync(machine.MachineNo, cola)).ShouldBe(9);
    }

    [Fact]
    public async Task Restocking_a_category_sets_every_slot_of_it_and_no_other()
    {
        var machine = await sim.Control.CreateMachineAsync();

        await sim.Platform.RestockAsync(RestockRequest.ForCategory(machine.MachineNo, 2, 3));

        (await sim.Control.StockAsync(machine.MachineNo, machine.ProductIds[0])).ShouldBe(5);
        (await sim.Control.StockAsync(machine.MachineNo, machine.ProductIds[1])).ShouldBe(3);
        (await sim.Control.StockAsync(machine.MachineNo, machine.ProductIds[2])).ShouldBe(3);
    }

    [Fact]
    public async Task Restocking_the_machine_fills_every_slot_to_capacity()
    {
        var machine = await sim.Control.CreateMachineAsync();

        await sim.Platform.RestockAsync(RestockRequest.ForMachine(machine.MachineNo));

        (await sim.Control.StockAsync(machine.MachineNo, machine.ProductIds[0])).ShouldBe(10);
        (await sim.Control.StockAsync(machine.MachineNo, machine.ProductIds[1])).ShouldBe(8);
        (await sim.Control.StockAsync(machine.MachineNo, machine.ProductIds[2])).ShouldBe(5);
    }

    [Fact]
    public async Task Restocking_above_capacity_fails_although_the_platform_answers_code_0()
    {
        var machine = await sim.Control.CreateMachineAsync();
        var cola = machine.ProductIds[0];

        var error = await Should.ThrowAsync<PlatformException>(
            () => sim.Platform.RestockAsync(RestockRequest.ForProduct(machine.MachineNo, cola, 11)));

        error.Code.ShouldBe(0);
        error.PlatformMessage.ShouldBe("超出货道最大库存");
        error.Category.ShouldBe(PlatformErrorCategory.Validation);
        (await sim.Control.StockAsync(machine.MachineNo, cola)).ShouldBe(5);
    }
}
