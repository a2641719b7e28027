using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Merchant.Api.Tests;

public sealed class CheckoutTests : IAsyncLifetime
{
    private Stack _stack = null!;

    public async Task InitializeAsync() => _stack = await Stack.StartAsync();

    public async Task DisposeAsync() => await _stack.DisposeAsync();

    [Fact]
    public async Task The_catalog_shows_machines_and_products_with_live_stock()
    {
        var machine = await _stack.Simulator.CreateMachineAsync(products: 2, stock: 7, price: "3.50");

        var machines = await _stack.Api.Storefront.GetFromJsonAsync<JsonElement>("/api/v1/machines");
        var products = await _stack.Api.Storefront.GetFromJsonAsync<JsonElement>($"/api/v1/machines/{machine.MachineNo}/products");

        machines.EnumerateArray().ShouldContain(m => m.GetProperty("machine_no").GetString() == machine.MachineNo && m.GetProperty("online").GetBoolean());
        products.GetArrayLength().ShouldBe(2);
        products[0].GetProperty("price").GetString().ShouldBe("3.50");
        products[0].GetProperty("stock").GetInt32().ShouldBe(7);
    }

    [Fact]
    public async Task A_checkout_is_priced_by_the_platform_and_holds_stock()
    {
        var machine = await _stack.Simulator.CreateMachineAsync(products: 1, stock: 5, price: "4.20");

        var trade = await _stack.CheckoutOkAsync(machine.MachineNo, (machine.Products[0].ProductId, 3));

        trade.TradeId.Length.ShouldBeInRange(20, 32);
        trade.TradeId.ShouldAllBe(c => char.IsAsciiDigit(c));
        trade.Amount.ShouldBe("12.60");
        trade.Currency.ShouldBe("CNY");
        trade.PayBefore.ShouldNotBeNull();
        trade.Lines.Count.ShouldBe(3);
        trade.Lines.ShouldAllBe(l => l.Price == "4.20" && l.Status == "pending");
        trade.Payment!.Status.ShouldBe("pending");
        (await _stack.Simulator.MachineAsync(machine.MachineNo)).Products[0].Stock.ShouldBe(2);
    }

    [Fact]
    public async Task Platform_refusals_are_4xx_with_stable_codes_and_the_trade_is_rejected()
    {
        var machine = await _stack.Simulator.CreateMachineAsync(products: 1, stock: 1);
        var offline = await _stack.Simulator.CreateMachineAsync(products: 1);
        await _stack.Simulator.SetOnlineAsync(offline.MachineNo, false);

        var tooMany = await _stack.CheckoutAsync(machine.MachineNo, [(machine.Products[0].ProductId, 2)]);
        var unknown = await _stack.CheckoutAsync(machine.MachineNo, [(999_999_999, 1)]);
        var down = await _stack.CheckoutAsync(offline.MachineNo, [(offline.Products[0].ProductId, 1)]);
        var tooManyBody = await tooMany.Content.ReadFromJsonAsync<JsonElement>();
        var unknownBody = await unknown.Content.ReadFromJsonAsync<JsonElement>();
        var downBody = await down.Content.ReadFromJsonAsync<JsonElement>();
        var tooManyTrade = await _stack.TradeAsync(tooManyBody.GetProperty("trade_id").GetString()!);
        var downTrade = await _stack.TradeAsync(downBody.GetProperty("trade_id").GetString()!);

        tooMany.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        tooManyBody.GetProperty("code").GetString().ShouldBe("insufficient_stock");
        tooManyTrade.Status.ShouldBe("rejected");
        tooManyTrade.StatusReason.ShouldBe("insufficient_stock");
        unknown.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        unknownBody.GetProperty("code").GetString().ShouldBe("product_not_found");
        // Refused from the catalog, before any trade exists.
        unknownBody.TryGetProperty("trade_id", out _).ShouldBeFalse();
        down.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        downBody.GetProperty("code").GetString().ShouldBe("machine_offline");
        downTrade.Status.ShouldBe("rejected");
        downTrade.StatusReason.ShouldBe("machine_offline");
    }

    [Fact]
    public async Task An_unreachable_platform_is_503_and_the_trade_is_rejected()
    {
        var machine = await _stack.Simulator.CreateMachineAsync(products: 1);
        await _stack.Api.Storefront.GetAsync($"/api/v1/machines/{machine.MachineNo}/products");
        await _stack.Simulator.EndpointFaultAsync("orders.create", "error500", 1, machine.MachineNo);

        var response = await _stack.CheckoutAsync(machine.MachineNo, [(machine.Products[0].ProductId, 1)]);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        var trade = await _stack.TradeAsync(body.GetProperty("trade_id").GetString()!);

        response.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        body.GetProperty("code").GetString().ShouldBe("platform_unavailable");
        trade.Status.ShouldBe("rejected");
    }

    [Theory]
    [InlineData("{\"machine_no\":\"abc\",\"items\":[{\"product_id\":1,\"quantity\":1}]}")]
    [InlineData("{\"machine_no\":\"16327129\",\"items\":[]}")]
    [InlineData("{\"machine_no\":\"16327129\",\"items\":[{\"product_id\":1,\"quantity\":0}]}")]
    [InlineData("{\"machine_no\":\"16327129\",\"items\":[{\"product_id\":-5,\"quantity\":1}]}")]
    [InlineData("{\"machine_no\":\"16327129\",\"items\":[{\"product_id\":1,\"quantity\":\"lots\"}]}")]
    [InlineData("{\"machine_no\":\"16327129\",\"items\":[{\"product_id\":1,\"quantity\":99999999999}]}")]
    [InlineData("{not json")]
    [InlineData("")]
    public async Task Bad_checkout_bodies_are_400_problem_details(string body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/checkouts")
        {
            Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString("N"));

        var response = await _stack.Api.Storefront.SendAsync(request);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        (await Code(response)).ShouldNotBeNullOrEmpty();
    }

    [Fact]
    public async Task Keys_decide_who_may_call_what()
    {
        var none = await _stack.Api.Client(apiKey: null).GetAsync("/api/v1/machines");
        var wrong = await _stack.Api.Client("nope").GetAsync("/api/v1/machines");
        var storefrontOnOps = await _stack.Api.Storefront.GetAsync("/api/v1/ops/summary");
        var ops = await _stack.Api.Ops.GetAsync("/api/v1/ops/summary");

        none.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await Code(none)).ShouldBe("unauthorized");
        wrong.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        storefrontOnOps.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await Code(storefrontOnOps)).ShouldBe("forbidden");
        ops.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task An_unknown_trade_is_a_404_problem()
    {
        var response = await _stack.Api.Storefront.GetAsync("/api/v1/trades/12345678901234567890");

        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await Code(response)).ShouldBe("not_found");
    }

    [Fact]
    public async Task Checkouts_at_one_machine_share_one_product_list_and_an_unknown_product_is_looked_up_again_before_a_422()
    {
        var machine = await _stack.Simulator.CreateMachineAsync(products: 1, stock: 100);
        var before = await ProductListCallsAsync();

        // A crowd at one machine: the list is fetched once for all of them, and no order drops it (decision 0008).
        var crowd = await Task.WhenAll(Enumerable.Range(0, 8)
            .Select(_ => _stack.CheckoutAsync(machine.MachineNo, [(machine.Products[0].ProductId, 1)])));
        crowd.ShouldAllBe(r => r.StatusCode == HttpStatusCode.Created);
        var second = await _stack.CheckoutAsync(machine.MachineNo, [(machine.Products[0].ProductId, 1)]);
        second.StatusCode.ShouldBe(HttpStatusCode.Created);
        (await ProductListCallsAsync() - before).ShouldBe(1);

        // A product missing from the cached list may have been added since: it is looked up again before the refusal.
        var unknown = await _stack.CheckoutAsync(machine.MachineNo, [(999_999_999, 1)]);
        unknown.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await ProductListCallsAsync() - before).ShouldBe(2);
    }

    private async Task<long> ProductListCallsAsync() =>
        (await _stack.Simulator.Control.GetFromJsonAsync<Dictionary<string, long>>("/_sim/requests"))!.GetValueOrDefault("products");

    private static async Task<string?> Code(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString();
}
