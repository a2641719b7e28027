using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Merchant.Api.Hosting;
using Merchant.Api.Ops;
using Merchant.Api.Trades;
using Merchant.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Merchant.Api.Tests;

/// <summary>The API with this project's keys (see <see cref="ApiHost"/>), on its own database.</summary>
public sealed class MerchantHost(string connectionString, string platformUrl, IDictionary<string, string?>? overrides = null,
    Action<IServiceCollection>? services = null)
    : ApiHost(ApiTestSettings.For(connectionString, platformUrl, StorefrontKey, OpsKey, NotifySecret, overrides), services)
{
    public const string StorefrontKey = "test-storefront-key";
    public const string OpsKey = "test-ops-key";
    public const string NotifySecret = "test-notify-secret";

    public HttpClient Storefront => Client(StorefrontKey);

    public HttpClient Ops => Client(OpsKey);
}

/// <summary>What most tests need: a database, a simulator and the API wired together, plus storefront helpers.</summary>
public sealed class Stack : IAsyncDisposable
{
    public static readonly JsonSerializerOptions Json = WireJson.Options;

    private Stack(SimulatorHost simulator, MerchantHost api, string connectionString)
    {
        Simulator = simulator;
        Api = api;
        ConnectionString = connectionString;
    }

    public SimulatorHost Simulator { get; }

    public MerchantHost Api { get; }

    public string ConnectionString { get; }

    public static async Task<Stack> StartAsync(IDictionary<string, string?>? settings = null,
        Action<Vending.Platform.Simulator.SimulatorOptions>? simulator = null, Action<IServiceCollection>? services = null)
    {
        var server = await PostgresServer.GetAsync();
        var database = await server.CreateDatabaseAsync();
        var sim = await SimulatorHost.StartAsync(simulator);
        var api = new MerchantHost(database, sim.BaseUrl, settings, services);
        api.StartServer();
        return new Stack(sim, api, database);
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
        return await Api.Storefront.SendAsync(request);
    }

    public async Task<TradeResponse> CheckoutOkAsync(string machineNo, params (long ProductId, int Quantity)[] items)
    {
        var response = await CheckoutAsync(machineNo, items);
        var body = await response.Content.ReadAsStringAsync();
        if ((int)response.StatusCode != 201)
        {
            throw new InvalidOperationException($"checkout answered {(int)response.StatusCode}: {body}");
        }

        return JsonSerializer.Deserialize<TradeResponse>(body, Json)!;
    }

    /// <summary>A POST with an Idempotency-Key: a fresh one unless the test repeats its own.</summary>
    public static async Task<HttpResponseMessage> PostKeyedAsync(HttpClient client, string path, object body, string? key = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        request.Headers.Add("Idempotency-Key", key ?? Guid.NewGuid().ToString("N"));
        return await client.SendAsync(request);
    }

    /// <summary>A customer redeeming a pickup code at the storefront.</summary>
    public Task<HttpResponseMessage> RedeemAsync(string machineNo, long productId, string code) =>
        PostKeyedAsync(Api.Storefront, "/api/v1/pickups", new { machine_no = machineNo, product_id = productId, code });

    public async Task PayAsync(string tradeId, string outcome = "success")
    {
        var response = await Api.Storefront.PostAsJsonAsync($"/api/v1/sandbox/trades/{tradeId}/pay", new { outcome });
        if ((int)response.StatusCode != 202)
        {
            throw new InvalidOperationException($"pay answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
    }

    public async Task<TradeResponse> TradeAsync(string tradeId) =>
        (await Api.Storefront.GetFromJsonAsync<TradeResponse>($"/api/v1/trades/{tradeId}", Json))!;

    public async Task<TradeDetail> DetailAsync(string tradeId) =>
        (await Api.Ops.GetFromJsonAsync<TradeDetail>($"/api/v1/ops/trades/{tradeId}", Json))!;

    /// <summary>Waits (bounded) until the trade reaches one of the statuses; fails with its timeline otherwise.</summary>
    public async Task<TradeResponse> WaitForAsync(string tradeId, TimeSpan within, params string[] statuses)
    {
        var deadline = DateTime.UtcNow + within;
        TradeResponse trade;
        do
        {
            trade = await TradeAsync(tradeId);
            if (statuses.Contains(trade.Status))
            {
                return trade;
            }

            await Task.Delay(100);
        }
        while (DateTime.UtcNow < deadline);

        var detail = await DetailAsync(tradeId);
        throw new TimeoutException($"Trade {tradeId} is {trade.Status}, not {string.Join("/", statuses)}, after {within}.\n"
            + string.Join("\n", detail.Timeline.Select(e => $"{e.At:HH:mm:ss.fff} {e.Actor} {e.Kind}: {e.Summary} → {e.Outcome}"))
            + "\njobs: " + string.Join("; ", detail.Jobs.Select(j => $"{j.Kind}#{j.JobId} {j.Status} x{j.Attempts} {j.LastError}")));
    }

    public async ValueTask DisposeAsync()
    {
        await Api.DisposeAsync();
        await Simulator.DisposeAsync();
    }
}
