using System.Net.Http.Json;
using System.Text.Json;
using Merchant.Api.Trades;
using Merchant.Testing;

namespace Merchant.Api.Tests;

/// <summary>DESIGN §3: a process killed at any point loses nothing; the restarted one finishes the work.</summary>
public sealed class CrashRecoveryTests : IAsyncLifetime
{
    private SimulatorHost _simulator = null!;
    private Dictionary<string, string?> _settings = null!;

    public async Task InitializeAsync()
    {
        var database = await (await PostgresServer.GetAsync()).CreateDatabaseAsync("crash");
        _simulator = await SimulatorHost.StartAsync();
        _settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Merchant"] = database,
            ["Platform:BaseUrl"] = _simulator.BaseUrl,
            ["Platform:AppId"] = SimulatorHost.AppId,
            ["Platform:AppSecret"] = SimulatorHost.AppSecret,
            ["Platform:AppKey"] = SimulatorHost.AppKey,
            ["Platform:Timeout"] = "00:00:02",
            ["Merchant:NotifySecret"] = MerchantHost.NotifySecret,
            ["Auth:StorefrontKeys:0"] = MerchantHost.StorefrontKey,
            ["Auth:OpsKeys:0"] = MerchantHost.OpsKey,
            ["Jobs:Lease"] = "00:00:05",
            ["Dispense:ResultTimeout"] = "00:00:03",
            ["Dispense:PollInterval"] = "00:00:01",
            ["Serilog:MinimumLevel:Default"] = "Warning",
        };
    }

    public async Task DisposeAsync() => await _simulator.DisposeAsync();

    [Fact]
    public async Task The_api_killed_between_payment_and_dispensing_completes_the_trade_after_a_restart()
    {
        var machine = await _simulator.CreateMachineAsync(products: 1);
        var port = ApiProcess.FreePort();
        var first = await ApiProcess.StartAsync(_settings, port);
        using var client = Client(first.BaseUrl);
        var trade = await CheckoutAsync(client, machine.MachineNo, machine.Products[0].ProductId);
        // Telling the platform of the payment hangs, so the kill lands after payment and before any dispense.
        await _simulator.EndpointFaultAsync("orders.update", "hang", 1, machine.MachineNo, delayMs: 20_000);

        (await client.PostAsJsonAsync($"/api/v1/sandbox/trades/{trade.TradeId}/pay", new { outcome = "success" })).EnsureSuccessStatusCode();
        await WaitForAsync(client, trade.TradeId, "paid");
        await Task.Delay(500);
        await first.KillAsync();
        var commandsWhileDown = (await _simulator.CommandsAsync(machine.MachineNo)).Commands.Count;
        await using var second = await ApiProcess.StartAsync(_settings, port);
        var done = await WaitForAsync(client, trade.TradeId, "completed", TimeSpan.FromSeconds(60));

        commandsWhileDown.ShouldBe(0);
        done.Lines.ShouldAllBe(l => l.Status == "dispensed");
        (await _simulator.CommandsAsync(machine.MachineNo)).Commands.Count.ShouldBe(2);
    }

    [Fact]
    public async Task The_api_killed_while_a_callback_is_due_settles_the_line_from_the_platform_after_a_restart()
    {
        var machine = await _simulator.CreateMachineAsync(products: 1);
        var port = ApiProcess.FreePort();
        var first = await ApiProcess.StartAsync(_settings, port);
        using var client = Client(first.BaseUrl);
        var trade = await CheckoutAsync(client, machine.MachineNo, machine.Products[0].ProductId);
        // The device answers slowly: the process dies with a line dispensing and its callback undelivered.
        await _simulator.CallbackFaultAsync(machine.MachineNo, "delay", 10, delayMs: 4000);

        (await client.PostAsJsonAsync($"/api/v1/sandbox/trades/{trade.TradeId}/pay", new { outcome = "success" })).EnsureSuccessStatusCode();
        await WaitForAsync(client, trade.TradeId, "dispensing");
        // The trade says dispensing from the dispatch's commit, a moment before the command leaves: the kill must land
        // once the machine has it (the simulator's books), or the line rightly ends refunded as never started.
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while ((await _simulator.CommandsAsync(machine.MachineNo)).Commands.Count == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        await first.KillAsync();
        await using var second = await ApiProcess.StartAsync(_settings, port);
        var done = await WaitForAsync(client, trade.TradeId, "completed", TimeSpan.FromSeconds(60));
        var log = await _simulator.CommandsAsync(machine.MachineNo);

        done.Lines.ShouldAllBe(l => l.Status == "dispensed");
        log.Commands.Count.ShouldBe(2);
        log.Commands.Select(c => c.RecordId).Distinct().Count().ShouldBe(2);
    }

    private static HttpClient Client(string baseUrl)
    {
        var client = new HttpClient { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Add("X-Api-Key", MerchantHost.StorefrontKey);
        return client;
    }

    private static async Task<TradeResponse> CheckoutAsync(HttpClient client, string machineNo, long productId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/checkouts")
        {
            Content = JsonContent.Create(new { machine_no = machineNo, items = new[] { new { product_id = productId, quantity = 2 } } }),
        };
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString("N"));
        var response = await client.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return JsonSerializer.Deserialize<TradeResponse>(await response.Content.ReadAsStringAsync(), Stack.Json)!;
    }

    /// <summary>Polls the trade until it has the status, riding out an API that is restarting.</summary>
    internal static async Task<TradeResponse> WaitForAsync(HttpClient client, string tradeId, string status, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(20));
        while (true)
        {
            try
            {
                var trade = JsonSerializer.Deserialize<TradeResponse>(await client.GetStringAsync($"/api/v1/trades/{tradeId}"), Stack.Json)!;
                if (trade.Status == status || DateTime.UtcNow > deadline)
                {
                    trade.Status.ShouldBe(status);
                    return trade;
                }
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline)
            {
                // The API is restarting.
            }

            await Task.Delay(100);
        }
    }
}
