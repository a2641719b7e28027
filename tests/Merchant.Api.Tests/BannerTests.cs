using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Merchant.Api.Tests;

public sealed class BannerTests : IAsyncLifetime
{
    private Stack _stack = null!;

    public async Task InitializeAsync() => _stack = await Stack.StartAsync();

    public async Task DisposeAsync() => await _stack.DisposeAsync();

    [Fact]
    public async Task A_machine_shows_its_approved_visible_banners_highest_sort_first()
    {
        var banners = await _stack.Api.Storefront.GetFromJsonAsync<JsonElement>("/api/v1/machines/16327129/banners");

        // The seeded 16327129 also has a hidden banner (104) and a pending one (105); the platform leaves them out.
        banners.EnumerateArray().Select(b => (b.GetProperty("banner_id").GetInt64(), b.GetProperty("image_url").GetString(), b.GetProperty("sort").GetInt32()))
            .ShouldBe(
            [
                (101L, "https://sim.invalid/banners/101.jpg", 30),
                (102L, "https://sim.invalid/banners/102.jpg", 20),
                (103L, "https://sim.invalid/banners/103.jpg", 0),
            ]);
        banners.EnumerateArray().ShouldAllBe(b => b.EnumerateObject().Count() == 3);
    }

    [Fact]
    public async Task A_machine_with_more_than_five_shows_the_five_highest_sorted()
    {
        var banners = await _stack.Api.Storefront.GetFromJsonAsync<JsonElement>("/api/v1/machines/16327132/banners");

        banners.EnumerateArray().Select(b => b.GetProperty("banner_id").GetInt64()).ShouldBe([122L, 124L, 126L, 127L, 125L]);
        banners.EnumerateArray().Select(b => b.GetProperty("sort").GetInt32()).ShouldBe([70, 60, 50, 40, 30]);
    }

    [Fact]
    public async Task A_machine_without_banners_answers_an_empty_list()
    {
        var response = await _stack.Api.Storefront.GetAsync("/api/v1/machines/16327130/banners");

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync()).ShouldBe("[]");
    }

    [Fact]
    public async Task Banners_are_read_from_the_platform_once_for_many_page_views()
    {
        var before = await BannerCallsAsync();

        for (var i = 0; i < 3; i++)
        {
            (await _stack.Api.Storefront.GetAsync("/api/v1/machines/16327129/banners")).StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        (await BannerCallsAsync() - before).ShouldBe(1);
    }

    [Fact]
    public async Task Banners_need_a_storefront_key()
    {
        var response = await _stack.Api.Client(apiKey: null).GetAsync("/api/v1/machines/16327129/banners");

        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await Code(response)).ShouldBe("unauthorized");
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("1234")]
    [InlineData("1632712x")]
    public async Task A_malformed_machine_no_is_a_400_problem(string machineNo)
    {
        var response = await _stack.Api.Storefront.GetAsync($"/api/v1/machines/{machineNo}/banners");

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await Code(response)).ShouldBe("validation_failed");
    }

    [Fact]
    public async Task An_unknown_machine_is_a_404_problem_as_for_its_products()
    {
        var banners = await _stack.Api.Storefront.GetAsync("/api/v1/machines/99999999/banners");
        var products = await _stack.Api.Storefront.GetAsync("/api/v1/machines/99999999/products");

        banners.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await Code(banners)).ShouldBe("machine_not_found");
        products.StatusCode.ShouldBe(banners.StatusCode);
        (await Code(products)).ShouldBe("machine_not_found");
    }

    private async Task<long> BannerCallsAsync() =>
        (await _stack.Simulator.Control.GetFromJsonAsync<Dictionary<string, long>>("/_sim/requests"))!.GetValueOrDefault("banners");

    private static async Task<string?> Code(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString();
}
