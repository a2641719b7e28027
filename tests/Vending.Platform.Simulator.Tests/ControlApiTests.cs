using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Vending.Platform.Simulator.Tests.Infrastructure;

namespace Vending.Platform.Simulator.Tests;

public sealed class ControlApiTests(SimulatorFixture fixture) : IClassFixture<SimulatorFixture>
{
    [Fact]
    public async Task Creating_a_machine_answers_201_with_product_ids_slots_and_model_defaults()
    {
        var body = new
        {
            model = "conveyor",
            name = "Test conveyor",
            products = new[]
            {
                new { name = "Tea", price = "3.50", stock = 2, capacity = 6 },
                new { name = "Juice", price = "5.00", stock = 0, capacity = 4 },
            },
        };

        using var response = await fixture.Platform.Http.PostAsJsonAsync("/_sim/machines", body);

        response.StatusCode.ShouldBe(HttpStatusCode.Created);
        var machine = await response.Content.ReadFromJsonAsync<JsonElement>();
        machine.GetProperty("machine_no").GetString()!.ShouldMatch(@"^\d{8}$");
        machine.GetProperty("model").GetString().ShouldBe("conveyor");
        machine.GetProperty("lock_seconds").GetInt32().ShouldBe(90);
        var products = machine.GetProperty("products").EnumerateArray().ToList();
        products[0].GetProperty("product_id").GetInt64().ShouldBeLessThan(products[1].GetProperty("product_id").GetInt64());
        products[0].GetProperty("price").GetString().ShouldBe("3.50");
        products[1].GetProperty("channel").GetProperty("name").GetString().ShouldBe("A12");
    }

    [Fact]
    public async Task A_machine_with_a_taken_number_or_unknown_model_is_rejected()
    {
        using var taken = await fixture.Platform.Http.PostAsJsonAsync("/_sim/machines", new { machine_no = "16327129", model = "spring" });
        using var badModel = await fixture.Platform.Http.PostAsJsonAsync("/_sim/machines", new { model = "teleporter" });

        taken.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        badModel.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Setting_banners_replaces_those_the_platform_answers()
    {
        var machine = await fixture.Control.CreateMachineAsync();

        var set = await fixture.Control.SendAsync(HttpMethod.Put, $"/_sim/machines/{machine.MachineNo}/banners", new object[]
        {
            new { cover_image = "https://cdn.example/a.png", sort_id = 2 },
            new { id = 77001, cover_image = "https://cdn.example/b.png", sort_id = 5, hit_count = 3 },
            new { sort_id = 9, is_visible = false },
        });
        var reply = await fixture.Platform.PostAsync("/banners", new() { ["machine_no"] = machine.MachineNo });

        set.GetArrayLength().ShouldBe(3);
        set[0].GetProperty("status").GetString().ShouldBe("APPROVED");
        reply.Data.EnumerateArray().Select(b => b.GetProperty("cover_image").GetString())
            .ShouldBe(["https://cdn.example/b.png", "https://cdn.example/a.png"]);
        reply.Data[0].GetProperty("id").GetInt64().ShouldBe(77001);
        (await fixture.Control.GetAsync($"/_sim/machines/{machine.MachineNo}")).GetProperty("banners").GetArrayLength().ShouldBe(3);
    }

    [Fact]
    public async Task Banners_with_a_bad_image_or_duplicate_ids_are_rejected_and_change_nothing()
    {
        var machine = await fixture.Control.CreateMachineAsync();
        var path = $"/_sim/machines/{machine.MachineNo}/banners";
        await fixture.Control.SendAsync(HttpMethod.Put, path, new object[] { new { id = 501, sort_id = 1 } });

        using var badImage = await fixture.Platform.Http.PutAsJsonAsync(path, new object[] { new { cover_image = "ftp://x/y.png" } });
        using var duplicate = await fixture.Platform.Http.PutAsJsonAsync(path, new object[] { new { id = 7 }, new { id = 7 } });
        using var unknown = await fixture.Platform.Http.PutAsJsonAsync("/_sim/machines/99999999/banners", Array.Empty<object>());

        badImage.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        duplicate.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        unknown.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        var banners = (await fixture.Control.GetAsync($"/_sim/machines/{machine.MachineNo}")).GetProperty("banners");
        banners.EnumerateArray().Select(b => b.GetProperty("id").GetInt64()).ShouldBe([501L]);
    }

    [Fact]
    public async Task The_internal_order_view_shows_held_stock_trade_id_and_notify_url()
    {
        var machine = await fixture.Control.CreateMachineAsync();
        var orderId = await fixture.CreateOrderAsync(machine.MachineNo, "view", (machine.ProductId(0), 2));

        var order = await fixture.Control.OrderAsync(orderId);

        order.GetProperty("status").GetString().ShouldBe("NOTPAY");
        order.GetProperty("stock_held").GetInt32().ShouldBe(2);
        order.GetProperty("trade_id").GetString()!.Length.ShouldBeGreaterThan(19);
        order.GetProperty("notify_url").GetString().ShouldBe(fixture.Receiver.UrlFor("view"));
        order.GetProperty("expires_at").GetDateTimeOffset().ShouldBeGreaterThan(order.GetProperty("created_at").GetDateTimeOffset());
    }

    [Fact]
    public async Task Request_counts_are_kept_per_endpoint()
    {
        var before = await fixture.Control.GetAsync("/_sim/requests");

        await fixture.Platform.PostBareAsync("/ping");
        await fixture.Platform.PostBareAsync("/ping");
        var after = await fixture.Control.GetAsync("/_sim/requests");

        var previous = before.TryGetProperty("ping", out var count) ? count.GetInt32() : 0;
        after.GetProperty("ping").GetInt32().ShouldBe(previous + 2);
    }

    [Fact]
    public async Task Updating_a_product_can_take_it_off_sale()
    {
        var machine = await fixture.Control.CreateMachineAsync();

        await fixture.Control.SendAsync(HttpMethod.Put, $"/_sim/products/{machine.ProductId(0)}", new { on_sale = false });
        var reply = await fixture.Platform.PostJsonAsync("/orders", new
        {
            machine_no = machine.MachineNo,
            notify_url = fixture.Receiver.UrlFor("control"),
            trade_id = SimulatorFixture.NewTradeId(),
            products = new[] { new { product_id = machine.ProductId(0), quantity = 1 } },
        });

        reply.Code.ShouldBe(60002);
    }

    [Fact]
    public async Task The_state_summary_counts_machines_and_orders()
    {
        var machine = await fixture.Control.CreateMachineAsync();
        await fixture.CreateOrderAsync(machine.MachineNo, "summary", (machine.ProductId(0), 1));

        var state = await fixture.Control.GetAsync("/_sim/state");

        state.GetProperty("machines").GetInt32().ShouldBeGreaterThanOrEqualTo(7);
        state.GetProperty("orders").GetProperty("NOTPAY").GetInt32().ShouldBeGreaterThanOrEqualTo(1);
        state.GetProperty("clock").GetProperty("speed").GetDouble().ShouldBe(1);
    }

    [Fact]
    public async Task Settings_can_shorten_the_unpaid_order_lifetime()
    {
        var machine = await fixture.Control.CreateMachineAsync();
        await fixture.Control.SendAsync(HttpMethod.Put, "/_sim/settings", new { unpaid_order_lifetime_seconds = 60 });
        var orderId = await fixture.CreateOrderAsync(machine.MachineNo, "settings", (machine.ProductId(0), 1));

        await fixture.Control.AdvanceClockAsync(61);
        var reply = await fixture.Platform.PutAsync($"/orders/{orderId}", new() { ["machine_no"] = machine.MachineNo, ["status"] = 1 });
        await fixture.Control.SendAsync(HttpMethod.Put, "/_sim/settings", new { unpaid_order_lifetime_seconds = 1200 });

        reply.Code.ShouldBe(40005);
    }
}
