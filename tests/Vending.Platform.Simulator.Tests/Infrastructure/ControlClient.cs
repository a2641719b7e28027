using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Vending.Platform.Simulator.Tests.Infrastructure;

public sealed record SimProduct(long Id, string Name, int Stock, int Capacity);

public sealed record SimMachine(string MachineNo, IReadOnlyList<SimProduct> Products)
{
    public long ProductId(int index) => Products[index].Id;
}

/// <summary>Drives the /_sim control API over HTTP.</summary>
public sealed class ControlClient(HttpClient http)
{
    public async Task<SimMachine> CreateMachineAsync(
        string model = "spring",
        bool online = true,
        bool pickupCodes = false,
        int? lockSeconds = null,
        params object[] products)
    {
        var body = new Dictionary<string, object?>
        {
            ["model"] = model,
            ["online"] = online,
            ["pickup_codes_enabled"] = pickupCodes,
            ["lock_seconds"] = lockSeconds,
            ["products"] = products.Length > 0
                ? products
                : new object[]
                {
                    new { name = "Cola", price = "3.00", stock = 5, capacity = 10, category_id = 1 },
                    new { name = "Chips", price = "4.50", stock = 5, capacity = 8, category_id = 2 },
                    new { name = "Gum", price = "1.00", stock = 1, capacity = 5, category_id = 2 },
                    new { name = "Old Candy", price = "2.00", stock = 5, capacity = 5, category_id = 2, on_sale = false },
                },
        };
        using var response = await http.PostAsJsonAsync("/_sim/machines", body);
        response.StatusCode.ShouldBe(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        var machine = await response.Content.ReadFromJsonAsync<JsonElement>();
        return new SimMachine(
            machine.GetProperty("machine_no").GetString()!,
            machine.GetProperty("products").EnumerateArray().Select(p => new SimProduct(
                p.GetProperty("product_id").GetInt64(),
                p.GetProperty("name").GetString()!,
                p.GetProperty("stock").GetInt32(),
                p.GetProperty("capacity").GetInt32())).ToList());
    }

    public async Task<JsonElement> GetAsync(string path)
    {
        using var response = await http.GetAsync(path);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public async Task<JsonElement> SendAsync(HttpMethod method, string path, object? body = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        response.IsSuccessStatusCode.ShouldBeTrue(text);
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public Task<JsonElement> PostAsync(string path, object body) => SendAsync(HttpMethod.Post, path, body);

    public async Task<int> StockAsync(string machineNo, long productId)
    {
        var machine = await GetAsync($"/_sim/machines/{machineNo}");
        return machine.GetProperty("products").EnumerateArray()
            .Single(p => p.GetProperty("product_id").GetInt64() == productId)
            .GetProperty("stock").GetInt32();
    }

    public async Task<JsonElement> OrderAsync(long orderId) => await GetAsync($"/_sim/orders/{orderId}");

    public async Task<JsonElement> CommandsAsync(string machineNo) => await GetAsync($"/_sim/commands?machine_no={machineNo}");

    public Task<JsonElement> AdvanceClockAsync(double seconds) => PostAsync("/_sim/clock", new { advance_seconds = seconds });
}
