using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Merchant.Api.Hosting;
using Merchant.Api.Ops;
using Merchant.Api.Trades;

namespace Merchant.Reliability.Tests.Infrastructure;

/// <summary>Storefront and ops calls against any API instance (in-process or a process), tolerant of a restarting API.</summary>
public sealed class Shop(HttpClient storefront, HttpClient ops) : IDisposable
{
    public static readonly JsonSerializerOptions Json = WireJson.Options;

    public HttpClient Storefront { get; } = storefront;

    public HttpClient Ops { get; } = ops;

    /// <summary>
    /// How long a client of an API process waits for an answer: a fresh process (compiled without tiering) on a starved
    /// machine has been seen to take over 30 s for its first requests. A bound, never an assertion.
    /// </summary>
    public static readonly TimeSpan ProcessTimeout = TimeSpan.FromSeconds(90);

    /// <summary>Clients for an API process.</summary>
    public static Shop For(string baseUrl) =>
        new(Client(baseUrl, HostSettings.StorefrontKey, ProcessTimeout), Client(baseUrl, HostSettings.OpsKey, ProcessTimeout));

    public static HttpClient Client(string baseUrl, string? apiKey, TimeSpan? timeout = null)
    {
        var client = new HttpClient { BaseAddress = new Uri(baseUrl), Timeout = timeout ?? TimeSpan.FromSeconds(30) };
        if (apiKey is not null)
        {
            client.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        }

        return client;
    }

    public async Task<HttpResponseMessage> CheckoutAsync(string machineNo, IEnumerable<(long ProductId, int Quantity)> items, string? key = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/checkouts")
        {
            Content = JsonContent.Create(new
            {
                machine_no = machineNo,
                items = items.Select(i => new { product_id = i.ProductId, quantity = i.Quantity }),
            }),
        };
        request.Headers.Add("Idempotency-Key", key ?? Guid.NewGuid().ToString("N"));
        return await Storefront.SendAsync(request);
    }

    public async Task<TradeResponse> CheckoutOkAsync(string machineNo, params (long ProductId, int Quantity)[] items)
    {
        using var response = await CheckoutAsync(machineNo, items);
        var body = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != HttpStatusCode.Created)
        {
            throw new InvalidOperationException($"checkout answered {(int)response.StatusCode}: {body}");
        }

        return JsonSerializer.Deserialize<TradeResponse>(body, Json)!;
    }

    public async Task PayAsync(string tradeId, string outcome = "success")
    {
        using var response = await Storefront.PostAsJsonAsync($"/api/v1/sandbox/trades/{tradeId}/pay", new { outcome });
        if (response.StatusCode != HttpStatusCode.Accepted)
        {
            throw new InvalidOperationException($"pay answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
    }

    /// <summary>Scripts the sandbox provider's refunds (docs/decisions/0018): error, fail, hang or late.</summary>
    public async Task SandboxRefundFaultAsync(string mode, string? tradeId = null, int? count = null, int? delayMs = null)
    {
        using var response = await Ops.PostAsJsonAsync("/api/v1/sandbox/faults",
            new { operation = "refund", mode, trade_id = tradeId, count, delay_ms = delayMs });
        if (response.StatusCode != HttpStatusCode.Created)
        {
            throw new InvalidOperationException($"sandbox fault answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
    }

    public async Task ClearSandboxFaultsAsync()
    {
        using var response = await Ops.DeleteAsync("/api/v1/sandbox/faults");
        response.EnsureSuccessStatusCode();
    }

    /// <summary>Ops settle a line that needs attention by refunding it (POST …/lines/{line}/refund).</summary>
    public async Task OpsRefundAsync(string tradeId, int lineId)
    {
        using var response = await Ops.PostAsync($"/api/v1/ops/trades/{tradeId}/lines/{lineId}/refund", null);
        if (response.StatusCode != HttpStatusCode.Accepted)
        {
            throw new InvalidOperationException($"ops refund answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
    }

    public async Task<TradeResponse> TradeAsync(string tradeId) =>
        (await Storefront.GetFromJsonAsync<TradeResponse>($"/api/v1/trades/{tradeId}", Json))!;

    public async Task<TradeDetail> DetailAsync(string tradeId) =>
        (await Ops.GetFromJsonAsync<TradeDetail>($"/api/v1/ops/trades/{tradeId}", Json))!;

    /// <summary>Waits (bounded) until the trade reaches one of the statuses; fails with its timeline otherwise.</summary>
    public async Task<TradeResponse> WaitForAsync(string tradeId, TimeSpan within, params string[] statuses)
    {
        var deadline = DateTime.UtcNow + within;
        TradeResponse? trade = null;
        do
        {
            try
            {
                trade = await TradeAsync(tradeId);
                if (statuses.Contains(trade.Status))
                {
                    return trade;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && DateTime.UtcNow < deadline)
            {
                // The API is restarting, or busy.
            }

            await Task.Delay(100);
        }
        while (DateTime.UtcNow < deadline);

        var detail = await DetailAsync(tradeId);
        throw new TimeoutException($"Trade {tradeId} is {trade?.Status}, not {string.Join("/", statuses)}, after {within}.\n"
            + string.Join("\n", detail.Timeline.Select(e => $"{e.At:HH:mm:ss.fff} {e.Actor} {e.Kind}: {e.Summary} → {e.Outcome}"))
            + "\njobs: " + string.Join("; ", detail.Jobs.Select(j => $"{j.Kind}#{j.JobId} {j.Status} x{j.Attempts} {j.LastError}")));
    }

    public void Dispose()
    {
        Storefront.Dispose();
        Ops.Dispose();
    }
}
