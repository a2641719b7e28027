using System.Net;
using System.Text.Json;
using Merchant.Api.Trades;
using Merchant.Testing;
using Vending.Platform.Simulator.Control;

namespace Merchant.Reliability.Tests.Infrastructure;

/// <summary>
/// A bounded storefront load: <c>trades</c> checkouts spread over machines, each paid at once, driven by a few workers
/// against one or several API base URLs (round-robin per request). Survives an API that is killed and restarted:
/// a request that finds no server is retried (same Idempotency-Key) a bounded number of times, then given up.
/// </summary>
public sealed class Load(IReadOnlyList<string> baseUrls, int seed)
{
    private readonly Random _random = new(seed);
    private readonly Lock _gate = new();
    private int _next;

    private int _checkedOut;
    private int _paid;
    private int _refused;
    private int _givenUp;

    public int CheckedOut => Volatile.Read(ref _checkedOut);

    public int Paid => Volatile.Read(ref _paid);

    /// <summary>Checkouts answered with a refusal (e.g. 503 while the platform or the API was failing).</summary>
    public int Refused => Volatile.Read(ref _refused);

    /// <summary>Purchases abandoned because no API answered in time (killed) or the key was held by a dead request.</summary>
    public int GivenUp => Volatile.Read(ref _givenUp);

    public override string ToString() => $"{CheckedOut} checked out, {Paid} paid, {Refused} refused, {GivenUp} given up";

    /// <summary>Machines of the test's own, a few of them scripted to fail dispenses or to lose/repeat callbacks.</summary>
    public static async Task<List<MachineView>> MachinesAsync(SimulatorHost simulator, int count, int faultyEvery = 5)
    {
        var machines = new List<MachineView>();
        for (var i = 0; i < count; i++)
        {
            var machine = await simulator.CreateMachineAsync(products: 3, stock: 60);
            machines.Add(machine);
            switch (i % faultyEvery)
            {
                case 1:
                    await simulator.FailNextDispensesAsync(machine.MachineNo, 2, reason: "Goods are Stuck");
                    Figures.Fault("device.fail", 2);
                    break;
                case 2:
                    await simulator.CallbackFaultAsync(machine.MachineNo, "drop", 3);
                    Figures.Fault("callback.drop", 3);
                    break;
                case 3:
                    await simulator.CallbackFaultAsync(machine.MachineNo, "duplicate", 3);
                    Figures.Fault("callback.duplicate", 3);
                    break;
            }
        }

        return machines;
    }

    /// <summary>Runs until <paramref name="trades"/> checkouts were attempted or <paramref name="budget"/> passed.</summary>
    public async Task RunAsync(IReadOnlyList<MachineView> machines, int trades, int workers, TimeSpan budget)
    {
        var deadline = DateTime.UtcNow + budget;
        var remaining = trades;
        var clients = baseUrls.Select(u => Shop.Client(u, HostSettings.StorefrontKey, Shop.ProcessTimeout)).ToList();
        try
        {
            await Task.WhenAll(Enumerable.Range(0, workers).Select(async _ =>
            {
                while (DateTime.UtcNow < deadline && Interlocked.Decrement(ref remaining) >= 0)
                {
                    var (machine, items) = Cart(machines);
                    await BuyAsync(clients, machine, items, deadline);
                }
            }));
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
        }
    }

    private (MachineView Machine, List<(long ProductId, int Quantity)> Items) Cart(IReadOnlyList<MachineView> machines)
    {
        lock (_gate)
        {
            var machine = machines[_random.Next(machines.Count)];
            var items = machine.Products.OrderBy(_ => _random.Next()).Take(_random.Next(1, 3))
                .Select(p => (p.ProductId, _random.Next(4) == 0 ? 2 : 1)).ToList();
            return (machine, items);
        }
    }

    private HttpClient Client(List<HttpClient> clients) => clients[Interlocked.Increment(ref _next) % clients.Count];

    private async Task BuyAsync(List<HttpClient> clients, MachineView machine, List<(long ProductId, int Quantity)> items, DateTime deadline)
    {
        var key = Guid.NewGuid().ToString("N");
        var body = JsonSerializer.Serialize(new
        {
            machine_no = machine.MachineNo,
            items = items.Select(i => new { product_id = i.ProductId, quantity = i.Quantity }),
        });
        var checkout = await SendAsync(clients, () =>
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/checkouts") { Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json") };
            request.Headers.Add("Idempotency-Key", key);
            return request;
        }, deadline);
        if (checkout is null)
        {
            Interlocked.Increment(ref _givenUp);
            return;
        }

        if (checkout.Value.Status != HttpStatusCode.Created)
        {
            Interlocked.Increment(ref _refused);
            return;
        }

        var trade = JsonSerializer.Deserialize<TradeResponse>(checkout.Value.Body, Shop.Json)!;
        Interlocked.Increment(ref _checkedOut);
        var pay = await SendAsync(clients, () => new HttpRequestMessage(HttpMethod.Post, $"/api/v1/sandbox/trades/{trade.TradeId}/pay")
        {
            Content = new StringContent("{\"outcome\":\"success\"}", System.Text.Encoding.UTF8, "application/json"),
        }, deadline);
        // 409 already_paid: an earlier attempt got through before the API died.
        if (pay?.Status is HttpStatusCode.Accepted or HttpStatusCode.Conflict)
        {
            Interlocked.Increment(ref _paid);
        }
    }

    /// <summary>Sends, retrying (bounded) while no API answers or the key is still held by a request that died with its process.</summary>
    private async Task<(HttpStatusCode Status, string Body)?> SendAsync(List<HttpClient> clients, Func<HttpRequestMessage> build, DateTime deadline)
    {
        for (var attempt = 0; attempt < 40 && DateTime.UtcNow < deadline + TimeSpan.FromSeconds(10); attempt++)
        {
            try
            {
                using var request = build();
                using var response = await Client(clients).SendAsync(request);
                var body = await response.Content.ReadAsStringAsync();
                if (response.StatusCode == HttpStatusCode.Conflict && body.Contains("idempotency_request_in_flight", StringComparison.Ordinal))
                {
                    // The first attempt died with its process; its key is held for a minute. Give this purchase up.
                    return null;
                }

                return (response.StatusCode, body);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                await Task.Delay(250);
            }
        }

        return null;
    }
}
