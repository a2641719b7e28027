using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Merchant.Api.Tests;

public sealed class IdempotencyTests : IAsyncLifetime
{
    private Stack _stack = null!;

    public async Task InitializeAsync() => _stack = await Stack.StartAsync();

    public async Task DisposeAsync() => await _stack.DisposeAsync();

    [Fact]
    public async Task The_same_key_and_body_replays_the_first_answer_without_a_second_order()
    {
        var machine = await _stack.Simulator.CreateMachineAsync(products: 1, stock: 10);
        var items = new[] { (machine.Products[0].ProductId, 1) };

        var first = await _stack.CheckoutAsync(machine.MachineNo, items, key: "replay-1");
        var second = await _stack.CheckoutAsync(machine.MachineNo, items, key: "replay-1");

        first.StatusCode.ShouldBe(HttpStatusCode.Created);
        second.StatusCode.ShouldBe(HttpStatusCode.Created);
        (await second.Content.ReadAsStringAsync()).ShouldBe(await first.Content.ReadAsStringAsync());
        (await _stack.Simulator.MachineAsync(machine.MachineNo)).Products[0].Stock.ShouldBe(9);
    }

    [Fact]
    public async Task The_same_key_with_another_body_is_422()
    {
        var machine = await _stack.Simulator.CreateMachineAsync(products: 1);

        await _stack.CheckoutAsync(machine.MachineNo, [(machine.Products[0].ProductId, 1)], key: "reuse-1");
        var other = await _stack.CheckoutAsync(machine.MachineNo, [(machine.Products[0].ProductId, 2)], key: "reuse-1");

        other.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await other.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString().ShouldBe("idempotency_key_reused");
    }

    [Fact]
    public async Task A_request_still_in_flight_is_409()
    {
        var machine = await _stack.Simulator.CreateMachineAsync(products: 1);
        await _stack.Simulator.EndpointFaultAsync("orders.create", "slow", 1, machine.MachineNo, delayMs: 2000);
        var items = new[] { (machine.Products[0].ProductId, 1) };

        var slow = _stack.CheckoutAsync(machine.MachineNo, items, key: "inflight-1");
        await Task.Delay(500);
        var concurrent = await _stack.CheckoutAsync(machine.MachineNo, items, key: "inflight-1");

        concurrent.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await concurrent.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString().ShouldBe("idempotency_request_in_flight");
        (await slow).StatusCode.ShouldBe(HttpStatusCode.Created);
    }

    [Fact]
    public async Task A_missing_key_is_400()
    {
        var machine = await _stack.Simulator.CreateMachineAsync(products: 1);

        var response = await _stack.Api.Storefront.PostAsJsonAsync("/api/v1/checkouts",
            new { machine_no = machine.MachineNo, items = new[] { new { product_id = machine.Products[0].ProductId, quantity = 1 } } });

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString().ShouldBe("idempotency_key_missing");
        (await _stack.Simulator.MachineAsync(machine.MachineNo)).Products[0].Stock.ShouldBe(20);
    }

    [Fact]
    public async Task Keys_are_scoped_per_api_key()
    {
        var machine = await _stack.Simulator.CreateMachineAsync(products: 1);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/checkouts")
        {
            Content = JsonContent.Create(new { machine_no = machine.MachineNo, items = new[] { new { product_id = machine.Products[0].ProductId, quantity = 2 } } }),
        };
        request.Headers.Add("Idempotency-Key", "scoped-1");

        await _stack.CheckoutAsync(machine.MachineNo, [(machine.Products[0].ProductId, 1)], key: "scoped-1");
        var fromOps = await _stack.Api.Ops.SendAsync(request);

        fromOps.StatusCode.ShouldBe(HttpStatusCode.Created);
    }
}
