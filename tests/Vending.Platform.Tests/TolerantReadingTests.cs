using System.Text.Json;
using Vending.Platform.Tests.Support;

namespace Vending.Platform.Tests;

public class TolerantReadingTests
{
    [Fact]
    public async Task Reads_omitted_fields_as_false_zero_and_empty()
    {
        var client = TestClient.Create(StubHandler.AnsweringOk("""[{"machine_no":"16327129"}]"""));

        var machines = await client.ListMachinesAsync();

        var machine = machines.ShouldHaveSingleItem();
        machine.MachineNo.ShouldBe("16327129");
        machine.IsOnline.ShouldBeFalse();
        machine.IsOperating.ShouldBeFalse();
        machine.MachineName.ShouldBe("");
        machine.CreatedAt.ShouldBe("");
    }

    [Fact]
    public async Task Reads_a_full_machine_list_entry()
    {
        const string data = """
            [{"machine_name":"Lobby","machine_no":"16327129","is_online":true,"status":true,"address":"1F","notify_message":"hi",
              "lng_lat":"113.9,22.5","created_at":"2024-04-26 18:45:58","contact":"Li","tel":"13800000000"}]
            """;
        var client = TestClient.Create(StubHandler.AnsweringOk(data));

        var machine = (await client.ListMachinesAsync()).ShouldHaveSingleItem();

        machine.ShouldBe(new MachineSummary
        {
            MachineName = "Lobby",
            MachineNo = "16327129",
            IsOnline = true,
            IsOperating = true,
            Address = "1F",
            NotifyMessage = "hi",
            LngLat = "113.9,22.5",
            CreatedAt = "2024-04-26 18:45:58",
            Contact = "Li",
            Tel = "13800000000",
        });
    }

    [Fact]
    public async Task Reads_machine_detail_with_nested_objects_missing_or_shaped_as_empty_lists()
    {
        const string data = """{"machine_no":"16327129","model":[],"merchant":null,"machine_type":"3","categories":{},"extra":{"x":1}}""";
        var client = TestClient.Create(StubHandler.AnsweringOk(data));

        var detail = await client.GetMachineAsync("16327129");

        detail.MachineType.ShouldBe(MachineType.Claw);
        detail.Model.ShouldBe(new MachineModel());
        detail.Model.CabinetNames.ShouldBeEmpty();
        detail.Merchant.Name.ShouldBe("");
        detail.Currency.Symbol.ShouldBe("");
        detail.Categories.ShouldBeEmpty();
    }

    [Fact]
    public async Task Reads_machine_detail_extras()
    {
        const string data = """
            {"machine_no":"16327129","model":{"id":4,"cabinet_names":["A","B"]},"machine_type":1,
             "categories":[{"id":1,"title":"Drinks"}],"merchant":{"id":"9","name":"M"},"currency":{"id":1,"name":"Renminbi","code":"CNY","symbol":"¥"}}
            """;
        var client = TestClient.Create(StubHandler.AnsweringOk(data));

        var detail = await client.GetMachineAsync("16327129");

        detail.Model.CabinetNames.ShouldBe(["A", "B"]);
        detail.MachineType.ShouldBe(MachineType.Vending);
        detail.Categories.ShouldHaveSingleItem().Title.ShouldBe("Drinks");
        detail.Merchant.Id.ShouldBe(9);
        detail.Currency.Code.ShouldBe("CNY");
    }

    [Fact]
    public async Task Reads_an_empty_products_list_sent_as_an_array_as_an_empty_page()
    {
        var client = TestClient.Create(StubHandler.AnsweringOk("[]"));

        var page = await client.GetProductsAsync(new ProductsRequest("16327129"));

        page.Items.ShouldBeEmpty();
        page.Total.ShouldBe(0);
    }

    [Fact]
    public async Task Reads_a_products_page_with_prices_in_fen()
    {
        const string data = """
            {"data":[{"id":1323442,"category":{"id":1,"title":"Drinks"},
                      "good":{"name":"Cola","price":"3.50","original_price":"4","good_no":"G1"},
                      "channel":{"name":"A21","cabinet_name":"A","x":2,"y":"1","addr":1},
                      "current_inventory":"5","inventory":8}],
             "total":"11","current_page":1,"last_page":2,"per_page":10}
            """;
        var client = TestClient.Create(StubHandler.AnsweringOk(data));

        var page = await client.GetProductsAsync(new ProductsRequest("16327129"));

        page.Total.ShouldBe(11);
        page.LastPage.ShouldBe(2);
        var item = page.Items.ShouldHaveSingleItem();
        item.ProductId.ShouldBe(1323442);
        item.Good.PriceFen.ShouldBe(350);
        item.Good.OriginalPriceFen.ShouldBe(400);
        item.Channel.Name.ShouldBe("A21");
        item.Channel.Y.ShouldBe(1);
        item.Channel.Addr.ShouldBe("1");
        item.CurrentInventory.ShouldBe(5);
        item.Inventory.ShouldBe(8);
    }

    [Fact]
    public async Task Reads_a_bare_list_of_products_as_one_page()
    {
        var client = TestClient.Create(StubHandler.AnsweringOk("""[{"id":1},{"id":2}]"""));

        var page = await client.GetProductsAsync(new ProductsRequest("16327129") { SelectAll = true });

        page.Items.Select(item => item.ProductId).ShouldBe([1L, 2L]);
        page.Total.ShouldBe(2);
    }

    [Fact]
    public async Task Reads_undocumented_floors_tolerantly()
    {
        const string data = """
            [{"id":"3","name":"A21","cabinet_name":"A","addr":"1","code":21,"x":"2","y":1,"product_id":1323442,"capacity":"8","current_inventory":5,"motor":"spring"},
             "not a slot", null]
            """;
        var client = TestClient.Create(StubHandler.AnsweringOk(data));

        var slots = await client.GetFloorsAsync(new FloorsRequest("16327129") { CabinetName = "A" });

        slots.ShouldHaveSingleItem().ShouldBe(new MachineSlot
        {
            Id = 3,
            Name = "A21",
            CabinetName = "A",
            Addr = "1",
            Code = "21",
            X = 2,
            Y = 1,
            ProductId = 1323442,
            Capacity = 8,
            CurrentInventory = 5,
        });
    }

    [Theory]
    [InlineData("\"floor_status\":\"2\"", 2)]
    [InlineData("\"status\":\"47\"", 47)]
    [InlineData("\"floor_status\":0", 0)]
    [InlineData("\"other\":1", null)]
    public async Task Reads_a_slot_state_under_either_name_and_the_product_name_under_good(string field, int? expected)
    {
        var data = "[{\"cabinet_name\":\"B\",\"addr\":2,\"channels\":[{\"name\":\"B21\",\"product_id\":7," + field
            + ",\"good\":{\"id\":9,\"name\":\"Cola\"},\"inventory\":6,\"current_inventory\":1}]}]";
        var client = TestClient.Create(StubHandler.AnsweringOk(data));

        var slot = (await client.GetFloorsAsync(new FloorsRequest("16327129"))).ShouldHaveSingleItem();

        slot.FloorStatus.ShouldBe(expected);
        slot.ProductName.ShouldBe("Cola");
        slot.CabinetName.ShouldBe("B");
        slot.Capacity.ShouldBe(6);
    }

    [Fact]
    public async Task Reads_an_order_with_numbers_as_strings_and_money_in_fen()
    {
        const string data = """
            {"order_id":"60","trade_id":20240426123456789012,"date":"2024-04-26","amount":"7.00","status":"success",
             "notify_send_count":"2","pickup_code_id":0,
             "records":[{"id":78,"product_id":"1323442","quantity":"2","price":"7.00","status":"IS_SUCCESS","notify_sent":"1"},
                        {"id":"79","product_id":5,"quantity":1,"price":"0.5"}]}
            """;
        var client = TestClient.Create(StubHandler.AnsweringOk(data));

        var order = await client.GetOrderAsync(new QueryOrderRequest("16327129", 60));

        order.OrderId.ShouldBe(60);
        order.TradeId.ShouldBe("20240426123456789012");
        order.Status.ShouldBe(PlatformOrderStatus.Success);
        order.AmountFen.ShouldBe(700);
        order.NotifySendCount.ShouldBe(2);
        order.Records.Count.ShouldBe(2);
        order.Records[0].ShouldBe(new OrderRecord
        {
            RecordId = 78, ProductId = 1323442, Quantity = 2, Price = "7.00", Status = RecordStatus.IsSuccess, NotifySent = true,
        });
        order.Records[0].PriceFen.ShouldBe(700);
        order.Records[1].RecordId.ShouldBe(79);
        order.Records[1].PriceFen.ShouldBe(50);
        order.Records[1].Status.ShouldBe(RecordStatus.Unknown);
        order.Records[1].NotifySent.ShouldBeFalse();
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("null")]
    [InlineData("\"\"")]
    [InlineData("[]")]
    [InlineData("\"some text\"")]
    public async Task Reads_odd_data_shapes_as_empty_results(string data)
    {
        var client = TestClient.Create(StubHandler.AnsweringOk(data));

        var order = await client.GetOrderAsync(new QueryOrderRequest("16327129", 60));
        var categories = await client.GetCategoriesAsync("16327129");
        var page = await client.GetProductsAsync(new ProductsRequest("16327129"));
        var banners = await client.GetBannersAsync("16327129");

        order.ShouldBe(new PlatformOrder());
        categories.ShouldBeEmpty();
        page.Items.ShouldBeEmpty();
        banners.ShouldBeEmpty();
    }

    [Fact]
    public async Task Reads_banners_with_numbers_as_strings_and_zero_fields_left_out()
    {
        const string data = """
            [{"id":"31","status":"APPROVED","is_visible":"1","cover_image":"https://cdn.example/a.jpg","sort_id":"20","hit_count":"7","views_count":310},
             {"id":32,"status":"APPROVED","is_visible":true,"cover_image":"https://cdn.example/b.jpg"},
             "not a banner"]
            """;
        var client = TestClient.Create(StubHandler.AnsweringOk(data));

        var banners = await client.GetBannersAsync("16327129");

        banners.ShouldBe(
        [
            new Banner { Id = 31, Status = "APPROVED", IsVisible = true, CoverImage = "https://cdn.example/a.jpg", SortId = 20, HitCount = 7, ViewsCount = 310 },
            new Banner { Id = 32, Status = "APPROVED", IsVisible = true, CoverImage = "https://cdn.example/b.jpg" },
        ]);
    }

    [Fact]
    public async Task Accepts_a_success_envelope_whose_zero_code_and_data_were_omitted()
    {
        var client = TestClient.Create(StubHandler.Answering("""{"message":"ok"}"""));

        await client.UpdateOrderAsync(new UpdateOrderRequest("16327129", 60, OrderUpdateStatus.Paid));
        var order = await client.GetOrderAsync(new QueryOrderRequest("16327129", 60));

        order.OrderId.ShouldBe(0);
    }

    [Fact]
    public async Task Reads_null_strings_and_numbers_as_empty_and_zero()
    {
        const string data = """{"order_id":null,"trade_id":null,"amount":null,"status":null,"records":null}""";
        var client = TestClient.Create(StubHandler.AnsweringOk(data));

        var order = await client.GetOrderAsync(new QueryOrderRequest("16327129", 60));

        order.ShouldBe(new PlatformOrder());
        order.TradeId.ShouldNotBeNull();
    }

    [Fact]
    public async Task Reads_a_dispense_result_with_a_numeric_delivery_id()
    {
        var client = TestClient.Create(StubHandler.AnsweringOk("""{"delivery_id":123,"delivered_at":"2024-04-29 14:54:48","status":"ok","unknown":true}"""));

        var result = await client.DispenseAsync(new DispenseRequest("16327129", 60, 78));

        result.DeliveryId.ShouldBe("123");
        result.DeliveredAt.ShouldBe("2024-04-29 14:54:48");
        result.FailReason.ShouldBe("");
    }

    [Fact]
    public async Task Fills_in_the_delivery_id_a_dispense_query_leaves_out()
    {
        var client = TestClient.Create(StubHandler.AnsweringOk("""{"status":"done","fail_reason":"Goods are Stuck"}"""));

        var result = await client.GetDispenseAsync(new QueryDispenseRequest("16327129", "D-77"));

        result.DeliveryId.ShouldBe("D-77");
        result.FailReason.ShouldBe("Goods are Stuck");
    }

    [Fact]
    public async Task Reads_pickup_codes_with_any_status_case()
    {
        const string data = """[{"id":11,"code":"1234567","status":"unused","quantity":"1","expired_at":"2024-12-31 23:59:59"},{"id":12,"code":"7654321","status":"Expired"}]""";
        var client = TestClient.Create(StubHandler.AnsweringOk(data));

        var codes = await client.GetPickupCodesAsync(new QueryPickupCodesRequest("16327129", 1323442));

        codes.Select(code => code.Status).ShouldBe([PickupCodeStatus.Unused, PickupCodeStatus.Expired]);
        codes[0].Quantity.ShouldBe(1);
    }

    [Theory]
    [InlineData("""["1234567","7654321"]""")]
    [InlineData("""{"codes":["1234567","7654321"]}""")]
    [InlineData("""[{"code":"1234567"},{"code":7654321}]""")]
    public async Task Reads_generated_pickup_codes_in_any_plausible_shape(string data)
    {
        var client = TestClient.Create(StubHandler.AnsweringOk(data));

        var codes = await client.GeneratePickupCodesAsync(new GeneratePickupCodesRequest("16327129", 1323442) { Count = 2 });

        codes.Select(code => code.Code).ShouldBe(["1234567", "7654321"]);
    }

    [Theory]
    [InlineData("NOTPAY", PlatformOrderStatus.NotPay)]
    [InlineData("notpay", PlatformOrderStatus.NotPay)]
    [InlineData("SUCCESS", PlatformOrderStatus.Success)]
    [InlineData("Refund", PlatformOrderStatus.Refund)]
    [InlineData("CLOSED", PlatformOrderStatus.Closed)]
    [InlineData("REVOKED", PlatformOrderStatus.Revoked)]
    [InlineData("USERPAYING", PlatformOrderStatus.UserPaying)]
    [InlineData("user_paying", PlatformOrderStatus.UserPaying)]
    [InlineData("PAYERROR", PlatformOrderStatus.PayError)]
    [InlineData("PICKUPCODE", PlatformOrderStatus.PickupCode)]
    [InlineData("TESTPAY", PlatformOrderStatus.TestPay)]
    [InlineData("SOMETHING_NEW", PlatformOrderStatus.Unknown)]
    [InlineData("", PlatformOrderStatus.Unknown)]
    public void Reads_order_statuses_case_insensitively(string text, PlatformOrderStatus expected)
    {
        var status = JsonSerializer.Deserialize<PlatformOrder>($$"""{"status":"{{text}}"}""", PlatformJson.Options)!.Status;

        status.ShouldBe(expected);
    }

    [Theory]
    [InlineData("WAITING_PICKED_UP", RecordStatus.WaitingPickedUp)]
    [InlineData("IS_DELIVERING", RecordStatus.IsDelivering)]
    [InlineData("is_success", RecordStatus.IsSuccess)]
    [InlineData("IS_FAILED", RecordStatus.IsFailed)]
    [InlineData("IS_TIMEOUT", RecordStatus.IsTimeout)]
    [InlineData("IS_PICKED_UP", RecordStatus.IsPickedUp)]
    [InlineData("IS_REFUND", RecordStatus.IsRefund)]
    [InlineData("IsRefund", RecordStatus.IsRefund)]
    [InlineData("订单取消", RecordStatus.IsRefund)]
    [InlineData("已取货", RecordStatus.IsPickedUp)]
    [InlineData("未取货", RecordStatus.WaitingPickedUp)]
    [InlineData("出货中?", RecordStatus.Unknown)]
    public void Reads_record_statuses_including_the_older_chinese_texts(string text, RecordStatus expected)
    {
        var status = JsonSerializer.Deserialize<OrderRecord>($$"""{"status":"{{text}}"}""", PlatformJson.Options)!.Status;

        status.ShouldBe(expected);
    }

    [Fact]
    public void Writes_statuses_and_flags_the_way_the_platform_sends_them()
    {
        var record = new OrderRecord { RecordId = 78, Status = RecordStatus.IsPickedUp, NotifySent = true, Price = "3.00" };

        var json = JsonSerializer.Serialize(record, PlatformJson.Options);

        json.ShouldBe("""{"id":78,"product_id":0,"quantity":0,"price":"3.00","status":"IS_PICKED_UP","notify_sent":"1"}""");
    }

    [Theory]
    [InlineData("3.00", 300)]
    [InlineData("3", 300)]
    [InlineData("0.5", 50)]
    [InlineData("12.34", 1234)]
    [InlineData(" 1.2 ", 120)]
    [InlineData("0.005", 1)]
    [InlineData("", 0)]
    [InlineData(null, 0)]
    public void Reads_decimal_amounts_as_fen(string? amount, long expected)
    {
        var parsed = PlatformMoney.TryParseFen(amount, out var fen);

        parsed.ShouldBeTrue();
        fen.ShouldBe(expected);
    }

    [Theory]
    [InlineData("3,00")]
    [InlineData("1e3")]
    [InlineData("three")]
    public void Refuses_amounts_that_are_not_plain_decimals(string amount)
    {
        var parsed = PlatformMoney.TryParseFen(amount, out var fen);

        parsed.ShouldBeFalse();
        fen.ShouldBe(0);
    }

    [Theory]
    [InlineData(300, "3.00")]
    [InlineData(5, "0.05")]
    [InlineData(0, "0.00")]
    public void Formats_fen_as_the_platform_writes_amounts(long fen, string expected)
    {
        var amount = PlatformMoney.FormatFen(fen);

        amount.ShouldBe(expected);
    }

    [Fact]
    public void Reads_platform_wall_clock_text_as_GMT_plus_8()
    {
        var parsed = PlatformClock.TryParse("2024-12-31 23:59:59", out var instant);

        parsed.ShouldBeTrue();
        instant.UtcDateTime.ShouldBe(new DateTime(2024, 12, 31, 15, 59, 59, DateTimeKind.Utc));
    }
}
