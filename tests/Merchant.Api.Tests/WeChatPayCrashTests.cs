using System.Net.Http.Json;
using System.Text.Json;
using Merchant.Api.Trades;
using Merchant.Testing;

namespace Merchant.Api.Tests;

/// <summary>
/// Issue 12: a refund retried after a crash is one refund at WeChat, never two. The API process is killed while its refund
/// request is on the wire (WeChat answers slowly); the restarted process asks again under the same out_refund_no.
/// WeChat's own books are the judge, not our tables.
/// </summary>
public sealed class WeChatPayCrashTests : IAsyncLifetime
{
    private SimulatorHost _simulator = null!;
    private WeChatPayHost _wechat = null!;
    private Dictionary<string, string?> _settings = null!;
    private int _port;

    public async Task InitializeAsync()
    {
        var database = await (await PostgresServer.GetAsync()).CreateDatabaseAsync("wxcrash");
        _simulator = await SimulatorHost.StartAsync();
        _wechat = await WeChatPayHost.StartAsync();
        _port = ApiProcess.FreePort();
        _settings = ApiTestSettings.For(database, _simulator.BaseUrl, MerchantHost.StorefrontKey, MerchantHost.OpsKey, MerchantHost.NotifySecret,
            _wechat.ApiSettings());
        _settings["Merchant:PublicBaseUrl"] = $"http://127.0.0.1:{_port}";
        _settings["Jobs:Lease"] = "00:00:05";
    }

    public async Task DisposeAsync()
    {
        await _wechat.DisposeAsync();
        await _simulator.DisposeAsync();
    }

    [Fact]
    public async Task A_refund_cut_off_by_a_crash_is_asked_again_after_the_restart_and_paid_once()
    {
        var machine = await _simulator.CreateMachineAsync(products: 1, price: "2.00");
        await _simulator.FailNextDispensesAsync(machine.MachineNo, 1);
        var first = await ApiProcess.StartAsync(_settings, _port);
        using var client = new HttpClient { BaseAddress = new Uri(first.BaseUrl), Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Add("X-Api-Key", MerchantHost.StorefrontKey);
        var trade = await CheckoutAsync(client, machine.MachineNo, machine.Products[0].ProductId);
        // WeChat sits on the refund request (it has not executed it) until the caller goes away.
        await _wechat.Control.PostAsJsonAsync("/_sim/endpoint-faults",
            new { endpoint = "refunds.create", out_trade_no = trade.TradeId, mode = "slow", count = 1, delay_ms = 60_000 }, WeChatPayHost.Json);

        await _wechat.PayAsync(trade.TradeId);
        await WaitAsync(async () => await RefundRequestsAsync() >= 1, TimeSpan.FromSeconds(60));
        await first.KillAsync();
        var refundsWhileDown = (await _wechat.BooksAsync(trade.TradeId)).Refunds.Count;
        await using var second = await ApiProcess.StartAsync(_settings, _port);
        var settled = await CrashRecoveryTests.WaitForAsync(client, trade.TradeId, "refunded", TimeSpan.FromSeconds(90));
        var books = await _wechat.BooksAsync(trade.TradeId);

        refundsWhileDown.ShouldBe(0);
        (await RefundRequestsAsync()).ShouldBeGreaterThanOrEqualTo(2);
        settled.Lines.ShouldAllBe(l => l.Status == "refunded");
        books.Refunds.ShouldHaveSingleItem().Amount.ShouldBe(200);
        (books.Paid, books.Refunded, books.Net).ShouldBe((200L, 200L, 0L));
    }

    private async Task<int> RefundRequestsAsync() =>
        (await _wechat.Control.GetFromJsonAsync<JsonElement>("/_sim/requests", WeChatPayHost.Json)).GetProperty("counts")
            .TryGetProperty("refunds.create", out var count) ? count.GetInt32() : 0;

    private static async Task<TradeResponse> CheckoutAsync(HttpClient client, string machineNo, long productId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/checkouts")
        {
            Content = JsonContent.Create(new { machine_no = machineNo, items = new[] { new { product_id = productId, quantity = 1 } }, payment = new { method = "native" } }),
        };
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString("N"));
        using var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        response.IsSuccessStatusCode.ShouldBeTrue(body);
        return JsonSerializer.Deserialize<TradeResponse>(body, Stack.Json)!;
    }

    private static async Task WaitAsync(Func<Task<bool>> done, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (!await done())
        {
            DateTime.UtcNow.ShouldBeLessThan(deadline, "the refund request never reached WeChat");
            await Task.Delay(100);
        }
    }
}
