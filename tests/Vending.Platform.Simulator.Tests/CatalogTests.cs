using System.Text.Json;
using Vending.Platform.Simulator.Tests.Infrastructure;

namespace Vending.Platform.Simulator.Tests;

public sealed class CatalogTests(SimulatorFixture fixture) : IClassFixture<SimulatorFixture>
{
    [Fact]
    public async Task Ping_answers_pong()
    {
        var reply = await fixture.Platform.PostBareAsync("/ping");

        reply.IsOk.ShouldBeTrue();
        reply.Data.GetString().ShouldBe("pong");
    }

    [Fact]
    public async Task Machine_list_omits_is_online_for_an_offline_machine()
    {
        var reply = await fixture.Platform.PostBareAsync("/rent/machines");

        var machines = reply.Data.EnumerateArray().ToDictionary(m => m.GetProperty("machine_no").GetString()!);
        machines.Keys.ShouldContain("8668380625375492");
        machines["16327129"].GetProperty("is_online").GetBoolean().ShouldBeTrue();
        machines["16327133"].TryGetProperty("is_online", out _).ShouldBeFalse();
        machines["16327133"].TryGetProperty("notify_message", out _).ShouldBeFalse();
        machines["16327133"].GetProperty("created_at").GetString()!.ShouldMatch(@"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$");
    }

    [Fact]
    public async Task Machine_detail_carries_model_type_categories_and_currency()
    {
        var reply = await fixture.Platform.PostBareAsync("/rent/machines/16327130");

        var detail = reply.Data;
        detail.GetProperty("machine_type").GetInt32().ShouldBe(1);
        detail.GetProperty("model").GetProperty("cabinet_names").EnumerateArray().Select(c => c.GetString()).ShouldBe(["A"]);
        detail.GetProperty("categories").GetArrayLength().ShouldBeGreaterThan(0);
        detail.GetProperty("currency").GetProperty("code").GetString().ShouldBe("CNY");
        detail.GetProperty("currency").GetProperty("symbol").GetString().ShouldBe("¥");
    }

    [Fact]
    public async Task Machine_detail_of_an_unknown_machine_answers_30003_and_of_an_offline_one_30002()
    {
        var unknown = await fixture.Platform.PostBareAsync("/rent/machines/99999999");
        var offline = await fixture.Platform.PostBareAsync("/rent/machines/16327133");

        unknown.Code.ShouldBe(30003);
        offline.Code.ShouldBe(30002);
    }

    [Fact]
    public async Task Products_are_paged_and_omit_zero_stock()
    {
        var firstPage = await fixture.Platform.PostAsync(
            "/products", new() { ["machine_no"] = "16327129", ["page"] = "1", ["per_page"] = "3" });
        var secondPage = await fixture.Platform.PostAsync(
            "/products", new() { ["machine_no"] = "16327129", ["page"] = "2", ["per_page"] = "3" });

        firstPage.Data.GetProperty("total").GetInt32().ShouldBe(4);
        firstPage.Data.GetProperty("last_page").GetInt32().ShouldBe(2);
        firstPage.Data.GetProperty("data").GetArrayLength().ShouldBe(3);
        var cookies = secondPage.Data.GetProperty("data").EnumerateArray().Single();
        cookies.GetProperty("id").GetInt64().ShouldBe(1323446);
        cookies.TryGetProperty("current_inventory", out _).ShouldBeFalse();
        cookies.GetProperty("inventory").GetInt32().ShouldBe(8);
        cookies.GetProperty("good").GetProperty("price").GetString().ShouldBe("3.50");
        cookies.GetProperty("channel").GetProperty("name").GetString().ShouldBe("A15");
    }

    [Fact]
    public async Task Products_of_an_empty_category_answer_an_empty_list_as_data()
    {
        var reply = await fixture.Platform.PostAsync(
            "/products", new() { ["machine_no"] = "16327129", ["page"] = "1", ["category_id"] = "3" });

        reply.IsOk.ShouldBeTrue();
        reply.Data.ValueKind.ShouldBe(JsonValueKind.Array);
        reply.Raw.ShouldContain("\"data\":[]");
    }

    [Fact]
    public async Task Products_show_live_stock_after_an_order_holds_some()
    {
        var machine = await fixture.Control.CreateMachineAsync();

        await fixture.CreateOrderAsync(machine.MachineNo, "catalog", (machine.ProductId(0), 2));
        var reply = await fixture.Platform.PostAsync("/products", new() { ["machine_no"] = machine.MachineNo, ["page"] = "1" });

        var cola = reply.Data.GetProperty("data").EnumerateArray().First(p => p.GetProperty("id").GetInt64() == machine.ProductId(0));
        cola.GetProperty("current_inventory").GetInt32().ShouldBe(3);
    }

    [Fact]
    public async Task Banners_are_the_approved_visible_ones_highest_sort_id_first()
    {
        var reply = await fixture.Platform.PostAsync("/banners", new() { ["machine_no"] = "16327129" });

        reply.IsOk.ShouldBeTrue(reply.Raw);
        reply.Data.EnumerateArray().Select(b => b.GetProperty("id").GetInt64()).ShouldBe([101L, 102L, 103L]);
        var first = reply.Data[0];
        first.GetProperty("status").GetString().ShouldBe("APPROVED");
        first.GetProperty("is_visible").GetBoolean().ShouldBeTrue();
        first.GetProperty("cover_image").GetString().ShouldBe("https://sim.invalid/banners/101.jpg");
        first.GetProperty("sort_id").GetInt32().ShouldBe(30);
        first.GetProperty("hit_count").GetInt64().ShouldBe(12);
        first.GetProperty("views_count").GetInt64().ShouldBe(340);
    }

    [Fact]
    public async Task Banner_fields_that_are_zero_are_left_out()
    {
        var reply = await fixture.Platform.PostAsync("/banners", new() { ["machine_no"] = "16327129" });

        var unclicked = reply.Data.EnumerateArray().Single(b => b.GetProperty("id").GetInt64() == 103);
        unclicked.TryGetProperty("sort_id", out _).ShouldBeFalse();
        unclicked.TryGetProperty("hit_count", out _).ShouldBeFalse();
        unclicked.GetProperty("views_count").GetInt64().ShouldBe(45);
    }

    [Fact]
    public async Task Banners_are_capped_at_five_keeping_the_highest_sort_ids()
    {
        var reply = await fixture.Platform.PostAsync("/banners", new() { ["machine_no"] = "16327132" });

        reply.Data.EnumerateArray().Select(b => b.GetProperty("id").GetInt64()).ShouldBe([122L, 124L, 126L, 127L, 125L]);
    }

    [Fact]
    public async Task Banners_of_a_machine_without_any_answer_an_empty_list_as_data()
    {
        var reply = await fixture.Platform.PostAsync("/banners", new() { ["machine_no"] = "16327130" });

        reply.IsOk.ShouldBeTrue(reply.Raw);
        reply.Raw.ShouldContain("\"data\":[]");
    }

    [Fact]
    public async Task Banners_of_an_unknown_machine_answer_30003()
    {
        var reply = await fixture.Platform.PostAsync("/banners", new() { ["machine_no"] = "99999999" });

        reply.Code.ShouldBe(30003);
    }

    [Fact]
    public async Task Banners_need_a_correctly_signed_payload()
    {
        var badSign = await fixture.Platform.PostAsync(
            "/banners", new() { ["machine_no"] = "16327129" }, sign: "0123456789ABCDEF0123456789ABCDEF");
        var unsigned = await fixture.Platform.PostJsonAsync("/banners", new { machine_no = "16327129" });

        badSign.Code.ShouldBe(4006);
        badSign.Message.ShouldBe("payload sign invalid");
        unsigned.Code.ShouldBe(10001);
    }

    [Fact]
    public async Task Categories_list_the_categories_of_the_machine()
    {
        var reply = await fixture.Platform.PostAsync("/categories", new() { ["machine_no"] = "16327129" });

        reply.Data.EnumerateArray().Select(c => c.GetProperty("title").GetString()).ShouldBe(["Drinks", "Snacks"]);
    }

    [Fact]
    public async Task Floors_group_the_slots_by_row()
    {
        var reply = await fixture.Platform.PostAsync("/floors", new() { ["machine_no"] = "16327132" });

        var floor = reply.Data.EnumerateArray().Single();
        floor.GetProperty("addr").GetInt32().ShouldBe(1);
        floor.GetProperty("channels").GetArrayLength().ShouldBe(5);
    }
}
