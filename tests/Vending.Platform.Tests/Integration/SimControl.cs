using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Vending.Platform.Tests.Integration;

public sealed record SimProduct(string Name, string Price, int Stock, int Capacity = 10, int CategoryId = 1, bool OnSale = true);

public sealed record SimMachine(string MachineNo, IReadOnlyList<long> ProductIds);

public sealed record SimBanner(long Id, string CoverImage, int SortId, string Status = "APPROVED", bool Visible = true, long HitCount = 0, long ViewsCount = 0);

/// <summary>Drives the simulator through its public HTTP surface only: the /_sim control API, and raw platform calls for wire-level checks.</summary>
public sealed class SimControl(HttpClient http, string appId, string appSecret)
{
    private static long _tradeSequence;

    /// <summary>Cola 3.00 (5/10, category 1), Chips 4.50 (5/8, category 2), Gum 1.00 (1/5, category 2), Old Candy 2.00 (off sale, category 2).</summary>
    public static IReadOnlyList<SimProduct> StandardProducts { get; } =
    [
        new("Cola", "3.00", Stock: 5, Capacity: 10, CategoryId: 1),
        new("Chips", "4.50", Stock: 5, Capacity: 8, CategoryId: 2),
        new("Gum", "1.00", Stock: 1, Capacity: 5, CategoryId: 2),
        new("Old Candy", "2.00", Stock: 5, Capacity: 5, CategoryId: 2, OnSale: false),
    ];

    /// <summary>Unique and numeric, 23 characters: inside the platform's 20–32.</summary>
    public static string NewTradeId() =>
        DateTime.UtcNow.ToString("yyyyMMddHHmmssfff", CultureInfo.InvariantCulture)
        + Interlocked.Increment(ref _tradeSequence).ToString("D6", CultureInfo.InvariantCulture);

    public async Task<SimMachine> CreateMachineAsync(
        IReadOnlyList<SimProduct>? products = null,
        bool online = true,
        bool pickupCodes = false,
        int? resultDelayMs = null,
        string? name = null)
    {
        var body = new Dictionary<string, object?>
        {
            ["model"] = "spring",
            ["name"] = name,
            ["online"] = online,
            ["pickup_codes_enabled"] = pickupCodes,
            ["result_delay_ms"] = resultDelayMs,
            ["products"] = (products ?? StandardProducts).Select(p => new
            {
                name = p.Name,
                price = p.Price,
                stock = p.Stock,
                capacity = p.Capacity,
                category_id = p.CategoryId,
                on_sale = p.OnSale,
            }).ToArray(),
        };
        using var response = await http.PostAsJsonAsync("/_sim/machines", body);
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.Created, text);
        var machine = JsonDocument.Parse(text).RootElement;
        return new SimMachine(
            machine.GetProperty("machine_no").GetString()!,
            machine.GetProperty("products").EnumerateArray().Select(p => p.GetProperty("product_id").GetInt64()).ToList());
    }

    public async Task<int> StockAsync(string machineNo, long productId)
    {
        var machine = await GetAsync($"/_sim/machines/{machineNo}");
        return machine.GetProperty("products").EnumerateArray()
            .Single(p => p.GetProperty("product_id").GetInt64() == productId)
            .GetProperty("stock").GetInt32();
    }

    public Task<JsonElement> OrdersAsync(string machineNo) => GetAsync($"/_sim/orders?machine_no={machineNo}");

    public Task<JsonElement> OrderAsync(long orderId) => GetAsync($"/_sim/orders/{orderId}");

    public Task<JsonElement> CommandsAsync(string machineNo) => GetAsync($"/_sim/commands?machine_no={machineNo}");

    public Task<JsonElement> CallbacksAsync(long orderId) => GetAsync($"/_sim/callbacks?order_id={orderId}");

    public Task<JsonElement> FaultsAsync() => GetAsync("/_sim/faults");

    public async Task<int> RequestCountAsync(string endpoint)
    {
        var counts = await GetAsync("/_sim/requests");
        return counts.TryGetProperty(endpoint, out var count) ? count.GetInt32() : 0;
    }

    /// <summary>Replaces the machine's banners, hidden and unapproved ones included.</summary>
    public Task SetBannersAsync(string machineNo, IReadOnlyList<SimBanner> banners) =>
        SendAsync(HttpMethod.Put, $"/_sim/machines/{machineNo}/banners", banners.Select(b => new
        {
            id = b.Id,
            status = b.Status,
            is_visible = b.Visible,
            cover_image = b.CoverImage,
            sort_id = b.SortId,
            hit_count = b.HitCount,
            views_count = b.ViewsCount,
        }).ToArray());

    public Task AddEndpointFaultAsync(string endpoint, string mode, string machineNo, int count = 1, int? delayMs = null) =>
        SendAsync(HttpMethod.Post, "/_sim/endpoint-faults", new { endpoint, mode, machine_no = machineNo, count, delay_ms = delayMs });

    public Task AddDispenseFaultAsync(string machineNo, string reason, int count = 1) =>
        SendAsync(HttpMethod.Post, $"/_sim/machines/{machineNo}/dispense-faults", new { count, mode = "fail", reason });

    public Task AdvanceClockAsync(double seconds) => SendAsync(HttpMethod.Post, "/_sim/clock", new { advance_seconds = seconds });

    /// <summary>A platform call without the SDK, signed by the simulator's helper, to see the wire JSON the SDK is given.</summary>
    public async Task<JsonElement> RawPlatformAsync(string path, IReadOnlyDictionary<string, string>? fields = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/openapi/v1/{path}");
        request.Headers.Add("Appid", appId);
        request.Headers.Add("AppSecret", appSecret);
        if (fields is not null)
        {
            var signed = await SendAsync(HttpMethod.Post, "/_sim/sign", new
            {
                fields = new Dictionary<string, string>(fields)
                {
                    ["timestamp"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
                },
            });
            request.Content = JsonContent.Create(new { payload = signed.GetProperty("payload").GetString() });
        }

        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, text);
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public static async Task EventuallyAsync(Func<Task<bool>> condition, string what, int timeoutMs = 5000)
    {
        var deadline = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (!await condition())
        {
            DateTime.UtcNow.ShouldBeLessThan(deadline, $"waited {timeoutMs} ms for {what}");
            await Task.Delay(25);
        }
    }

    private async Task<JsonElement> GetAsync(string path)
    {
        using var response = await http.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        response.IsSuccessStatusCode.ShouldBeTrue(text);
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private async Task<JsonElement> SendAsync(HttpMethod method, string path, object body)
    {
        using var request = new HttpRequestMessage(method, path) { Content = JsonContent.Create(body) };
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        response.IsSuccessStatusCode.ShouldBeTrue(text);
        return JsonDocument.Parse(text).RootElement.Clone();
    }
}
