using System.Text.Json;
using Vending.Platform.Tests.Support;

namespace Vending.Platform.Tests;

public class RequestBuildingTests
{
    public static TheoryData<string, string, string, string?> Endpoints => new()
    {
        // name, HTTP method, path, method field
        { "ping", "POST", "/api/openapi/v1/ping", null },
        { "machines.list", "POST", "/api/openapi/v1/rent/machines", null },
        { "machines.get", "POST", "/api/openapi/v1/rent/machines/16327129", null },
        { "floors", "POST", "/api/openapi/v1/floors", null },
        { "banners", "POST", "/api/openapi/v1/banners", null },
        { "products", "POST", "/api/openapi/v1/products", null },
        { "categories", "POST", "/api/openapi/v1/categories", null },
        { "orders.create", "POST", "/api/openapi/v1/orders", null },
        { "orders.query", "POST", "/api/openapi/v1/orders/60", null },
        { "orders.update", "PUT", "/api/openapi/v1/orders/60", null },
        { "pickup_codes.generate.id", "POST", "/api/openapi/v1/pickup_codes", "pickup_code.product.id" },
        { "pickup_codes.generate.all", "POST", "/api/openapi/v1/pickup_codes", "pickup_code.product.all" },
        { "pickup_codes.query", "POST", "/api/openapi/v1/products/1323442/pickup_code", null },
        { "pickup_codes.cancel.id", "PUT", "/api/openapi/v1/pickup_codes", "pickup_code.delete.id" },
        { "pickup_codes.cancel.all", "PUT", "/api/openapi/v1/pickup_codes", "pickup_code.delete.all" },
        { "pickup_codes.consume", "POST", "/api/openapi/v1/consumes", "event.consume.pickup_code" },
        { "deliveries.dispense", "POST", "/api/openapi/v1/deliveries", "device.delivery.put" },
        { "deliveries.query", "POST", "/api/openapi/v1/deliveries/D-1", null },
        { "deliveries.debug", "POST", "/api/openapi/v1/deliveries/debug", "device.delivery.put" },
        { "replenishments.product", "POST", "/api/openapi/v1/replenishments", "replenishment.product.id" },
        { "replenishments.category", "POST", "/api/openapi/v1/replenishments", "replenishment.category.id" },
        { "replenishments.machine", "POST", "/api/openapi/v1/replenishments", "replenishment.machine.all" },
    };

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task Calls_each_endpoint_on_its_documented_verb_and_path_with_credentials(string name, string verb, string path, string? method)
    {
        var handler = StubHandler.AnsweringOk("{}");
        var client = TestClient.Create(handler);

        await EndpointCalls.Invoke(client, name);

        var request = handler.Requests.ShouldHaveSingleItem();
        request.Method.Method.ShouldBe(verb);
        request.Path.ShouldBe(path);
        request.Headers["Appid"].ShouldBe(TestClient.AppId);
        request.Headers["AppSecret"].ShouldBe(TestClient.AppSecret);
        if (request.Body is not null && name != "orders.create")
        {
            request.PayloadFields.GetValueOrDefault("method").ShouldBe(method);
            request.PayloadFields["machine_no"].ShouldBe("16327129");
            PayloadSigner.TryVerify(request.Payload, TestClient.DemoAppKey, out _).ShouldBeTrue();
        }
    }

    [Theory]
    [InlineData("ping")]
    [InlineData("machines.list")]
    [InlineData("machines.get")]
    public async Task Sends_no_body_where_the_endpoint_takes_none(string name)
    {
        var handler = StubHandler.AnsweringOk("{}");
        var client = TestClient.Create(handler);

        await EndpointCalls.Invoke(client, name);

        handler.Requests.ShouldHaveSingleItem().Body.ShouldBeNull();
    }

    [Fact]
    public async Task Sends_the_documented_update_order_payload_exactly()
    {
        var handler = StubHandler.AnsweringOk("\"\"");
        var client = TestClient.Create(handler, time: FixedClock.AtUnixSeconds(1714128358));

        await client.UpdateOrderAsync(new UpdateOrderRequest("16327129", 60, OrderUpdateStatus.Refund));

        var request = handler.Requests.ShouldHaveSingleItem();
        request.Body.ShouldBe("""{"payload":"eyJtYWNoaW5lX25vIjoiMTYzMjcxMjkiLCJzaWduIjoiOUM4NEZEMUNFMkM3Njg0OUU3Nzc4QUNGMkM1MEZGRjAiLCJzdGF0dXMiOjIsInRpbWVzdGFtcCI6IjE3MTQxMjgzNTgifQ=="}""");
        request.ContentType.ShouldBe("application/json; charset=utf-8");
    }

    [Fact]
    public async Task Signs_a_dispense_like_the_documented_vector_with_ids_as_strings()
    {
        var handler = StubHandler.AnsweringOk("""{"delivery_id":"9"}""");
        var client = TestClient.Create(handler, time: FixedClock.AtUnixSeconds(1714373688));

        await client.DispenseAsync(new DispenseRequest("16327129", 60, 78));

        var request = handler.Requests.ShouldHaveSingleItem();
        request.PayloadFields["sign"].ShouldBe("2457E8CE3CB49D31EC2054365FC8AD90");
        Json(request.Payload).GetProperty("order_id").ValueKind.ShouldBe(JsonValueKind.String);
        Json(request.Payload).GetProperty("record_id").GetString().ShouldBe("78");
    }

    [Fact]
    public async Task Signs_a_products_query_like_the_documented_vector()
    {
        var handler = StubHandler.AnsweringOk("[]");
        var client = TestClient.Create(handler, time: FixedClock.AtUnixSeconds(1713255411));

        await client.GetProductsAsync(new ProductsRequest("8668380625375492") { CategoryId = 1 });

        handler.Requests.ShouldHaveSingleItem().PayloadFields["sign"].ShouldBe("219C16BDF42D3668FF5B85A30FE97F54");
    }

    [Fact]
    public async Task Signs_pickup_code_generation_like_the_documented_vector_with_expiry_in_GMT_plus_8()
    {
        var handler = StubHandler.AnsweringOk("[]");
        var client = TestClient.Create(handler, time: FixedClock.AtUnixSeconds(1714185061));
        var request = new GeneratePickupCodesRequest("16327129", 1323442)
        {
            ExpiresAt = new DateTimeOffset(2024, 12, 31, 15, 59, 59, TimeSpan.Zero),
            CodeLength = 7,
            Count = 2,
            Quantity = 1,
        };

        await client.GeneratePickupCodesAsync(request);

        var fields = handler.Requests.ShouldHaveSingleItem().PayloadFields;
        fields["expired_at"].ShouldBe("2024-12-31 23:59:59");
        fields["sign"].ShouldBe("6C73E1EE2B92089A61DC721E72BB3139");
    }

    [Fact]
    public async Task Stamps_signed_calls_with_unix_seconds_from_the_injected_clock()
    {
        var handler = StubHandler.AnsweringOk("[]");
        var client = TestClient.Create(handler, time: FixedClock.AtUnixSeconds(1700000000));

        await client.GetCategoriesAsync("16327129");

        handler.Requests.ShouldHaveSingleItem().PayloadFields["timestamp"].ShouldBe("1700000000");
    }

    [Fact]
    public async Task Sends_create_order_as_plain_snake_case_json()
    {
        var handler = StubHandler.AnsweringOk("""{"order_id":60}""");
        var client = TestClient.Create(handler);

        var result = await client.CreateOrderAsync(new CreateOrderRequest(
            "16327129", "https://m.example/notify/abc?x=1&y=2", "20240426123456789012", [new OrderProduct(1323442, 1), new OrderProduct(7, 1)]));

        result.OrderId.ShouldBe(60);
        var request = handler.Requests.ShouldHaveSingleItem();
        request.Body.ShouldBe("""{"machine_no":"16327129","notify_url":"https://m.example/notify/abc?x=1&y=2","trade_id":"20240426123456789012","products":[{"product_id":1323442,"quantity":1},{"product_id":7,"quantity":1}]}""");
        request.ContentType.ShouldBe("application/json; charset=utf-8");
    }

    [Fact]
    public async Task Leaves_unset_optional_product_filters_out_of_the_payload()
    {
        var handler = StubHandler.AnsweringOk("[]");
        var client = TestClient.Create(handler);

        await client.GetProductsAsync(new ProductsRequest("16327129"));

        handler.Requests.ShouldHaveSingleItem().PayloadFields.Keys.Order(StringComparer.Ordinal)
            .ShouldBe(["machine_no", "page", "per_page", "sign", "timestamp"]);
    }

    [Fact]
    public async Task Refuses_a_products_query_with_both_cabinet_and_addr()
    {
        var client = TestClient.Create(StubHandler.AnsweringOk("[]"));

        await Should.ThrowAsync<ArgumentException>(() =>
            client.GetProductsAsync(new ProductsRequest("16327129") { CabinetName = "A", Addr = "1" }));
    }

    [Fact]
    public async Task Passes_debug_slot_fields_through()
    {
        var handler = StubHandler.AnsweringOk("{}");
        var client = TestClient.Create(handler);

        await client.DebugDispenseAsync(new DebugDispenseRequest("16327129")
        {
            ProductId = 5,
            NotifyUrl = "https://merchant.example/notify/td1.abc",
            SlotFields = new Dictionary<string, string> { ["addr"] = "1", ["channel"] = "A21" },
        });

        var fields = handler.Requests.ShouldHaveSingleItem().PayloadFields;
        fields["notify_url"].ShouldBe("https://merchant.example/notify/td1.abc");
        fields["addr"].ShouldBe("1");
        fields["channel"].ShouldBe("A21");
        fields["product_id"].ShouldBe("5");
        fields["method"].ShouldBe("device.delivery.put");
    }

    [Fact]
    public async Task Refuses_debug_slot_fields_that_would_override_the_client_fields()
    {
        var handler = StubHandler.AnsweringOk("{}");
        var client = TestClient.Create(handler);
        var request = new DebugDispenseRequest("16327129") { SlotFields = new Dictionary<string, string> { ["method"] = "device.other" } };

        await Should.ThrowAsync<ArgumentException>(() => client.DebugDispenseAsync(request));

        handler.Requests.ShouldBeEmpty();
    }

    [Fact]
    public async Task Sends_restock_fields_for_its_scope()
    {
        var handler = StubHandler.AnsweringOk("{}");
        var client = TestClient.Create(handler);

        await client.RestockAsync(RestockRequest.ForCategory("16327129", 3, 8, cabinetName: "B"));

        var fields = handler.Requests.ShouldHaveSingleItem().PayloadFields;
        fields["category_id"].ShouldBe("3");
        fields["current_inventory"].ShouldBe("8");
        fields["cabinet_name"].ShouldBe("B");
        fields.ContainsKey("product_id").ShouldBeFalse();
    }

    [Fact]
    public async Task Keeps_a_path_prefix_in_the_base_url()
    {
        var handler = StubHandler.AnsweringOk("\"pong\"");
        var client = TestClient.Create(handler, options => options.BaseUrl = "http://gateway.test/vendor/");

        await client.PingAsync();

        handler.Requests.ShouldHaveSingleItem().Uri.ToString().ShouldBe("http://gateway.test/vendor/api/openapi/v1/ping");
    }

    private static JsonElement Json(string payload) =>
        JsonDocument.Parse(Convert.FromBase64String(payload)).RootElement;
}
