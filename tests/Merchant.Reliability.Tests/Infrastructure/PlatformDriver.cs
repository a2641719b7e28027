using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Merchant.Testing;

namespace Merchant.Reliability.Tests.Infrastructure;

/// <summary>
/// Calls the platform simulator's Open API directly, signed with the simulator's own helper, as a merchant that breaks
/// the rules would: the checker's self-test plants violations in the platform's log with it.
/// </summary>
public sealed class PlatformDriver : IDisposable
{
    private const string Api = "/api/openapi/v1";
    private static int _trades;
    private readonly SimulatorHost _simulator;
    private readonly HttpClient _http;

    public PlatformDriver(SimulatorHost simulator)
    {
        _simulator = simulator;
        _http = new HttpClient { BaseAddress = new Uri(simulator.BaseUrl), Timeout = TimeSpan.FromSeconds(30) };
        _http.DefaultRequestHeaders.Add("Appid", SimulatorHost.AppId);
        _http.DefaultRequestHeaders.Add("AppSecret", SimulatorHost.AppSecret);
    }

    /// <summary>Creates an order of one record per product (not paid); answers its id and record ids.</summary>
    public async Task<(long OrderId, long[] RecordIds)> CreateOrderAsync(string machineNo, params long[] productIds)
    {
        var tradeId = $"3999{DateTime.UtcNow:yyyyMMddHHmmss}{Interlocked.Increment(ref _trades):000000}";
        using var response = await _http.PostAsJsonAsync($"{Api}/orders", new
        {
            machine_no = machineNo,
            notify_url = "http://127.0.0.1:9/nowhere",
            trade_id = tradeId,
            products = productIds.Select(p => new { product_id = p, quantity = 1 }),
        });
        var orderId = (await EnvelopeAsync(response)).GetProperty("order_id").GetInt64();
        var order = await _simulator.OrderAsync(orderId);
        return (orderId, [.. order.Records.Select(r => r.RecordId)]);
    }

    /// <summary>PUT status 1: the platform now lets the order be dispensed.</summary>
    public async Task MarkPaidAsync(string machineNo, long orderId)
    {
        using var response = await SignedAsync(HttpMethod.Put, $"{Api}/orders/{orderId}", new() { ["machine_no"] = machineNo, ["status"] = "1" });
        await EnvelopeAsync(response);
    }

    /// <summary>Sends a dispense command; answers the platform's envelope code (0 with message "ok" when accepted).</summary>
    public async Task<int> DispenseAsync(string machineNo, long orderId, long recordId)
    {
        using var response = await SignedAsync(HttpMethod.Post, $"{Api}/deliveries", new()
        {
            ["machine_no"] = machineNo,
            ["method"] = "device.delivery.put",
            ["order_id"] = orderId.ToString(CultureInfo.InvariantCulture),
            ["record_id"] = recordId.ToString(CultureInfo.InvariantCulture),
        });
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetInt32();
    }

    public void Dispose() => _http.Dispose();

    private async Task<HttpResponseMessage> SignedAsync(HttpMethod method, string path, Dictionary<string, string> fields)
    {
        fields["timestamp"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        using var sign = await _simulator.Control.PostAsJsonAsync("/_sim/sign", new { fields });
        var payload = (await sign.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("payload").GetString();
        using var request = new HttpRequestMessage(method, path) { Content = JsonContent.Create(new { payload }) };
        return await _http.SendAsync(request);
    }

    private static async Task<JsonElement> EnvelopeAsync(HttpResponseMessage response)
    {
        var envelope = await response.Content.ReadFromJsonAsync<JsonElement>();
        if (envelope.GetProperty("code").GetInt32() != 0 || envelope.GetProperty("message").GetString() != "ok")
        {
            throw new InvalidOperationException($"The platform refused: {envelope}");
        }

        return envelope.TryGetProperty("data", out var data) ? data : default;
    }
}
