using System.Net.Http.Json;
using Merchant.Testing;
using Vending.Platform.Simulator.Control;

namespace Merchant.Browser.Tests;

/// <summary>The API with the storefront demo on (see <see cref="ApiHost"/>), so a browser and the simulator's callbacks both reach it.</summary>
public sealed class DemoHost(string connectionString, string platformUrl) : ApiHost(ApiTestSettings.For(
    connectionString, platformUrl, StorefrontKey, OpsKey, "browser-notify-secret", new Dictionary<string, string?>
    {
        ["Dispense:ResultTimeout"] = "00:00:05",
        ["Demo:Enabled"] = "true",
        ["Demo:StorefrontKey"] = StorefrontKey,
    }))
{
    public const string StorefrontKey = "browser-storefront-key";
    public const string OpsKey = "browser-ops-key";

    public HttpClient Storefront => Client(StorefrontKey);
}

/// <summary>A database, the simulator and the API with the demo on, wired together for one test.</summary>
public sealed class DemoStack : IAsyncDisposable
{
    private static int _machines;

    private DemoStack(SimulatorHost simulator, DemoHost api)
    {
        Simulator = simulator;
        Api = api;
    }

    public SimulatorHost Simulator { get; }

    public DemoHost Api { get; }

    public static async Task<DemoStack> StartAsync()
    {
        var server = await PostgresServer.GetAsync();
        var database = await server.CreateDatabaseAsync("merchant_browser");
        var simulator = await SimulatorHost.StartAsync();
        var api = new DemoHost(database, simulator.BaseUrl);
        api.StartServer();
        return new DemoStack(simulator, api);
    }

    /// <summary>
    /// A machine of the test's own, stocked like a real one so the screenshots read well; each result
    /// takes <paramref name="resultDelayMs"/> so the page can be seen dispensing line by line.
    /// </summary>
    public async Task<MachineView> CreateMachineAsync(int resultDelayMs = 1500)
    {
        var number = $"{16_327_150 + Interlocked.Increment(ref _machines)}";
        var request = new CreateMachineRequest(number, "Office kitchen machine", "spring", true, true, false, null, resultDelayMs,
        [
            new CreateProductRequest("Cola 330ml", "3.00", 8, 10, 1, true, null),
            new CreateProductRequest("Mineral Water", "2.00", 10, 10, 1, true, null),
            new CreateProductRequest("Potato Chips", "5.50", 2, 8, 2, true, null),
            new CreateProductRequest("Butter Cookies", "3.50", 0, 8, 2, true, null),
        ]);
        var response = await Simulator.Control.PostAsJsonAsync("/_sim/machines", request, SimulatorHost.Json);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<MachineView>(SimulatorHost.Json))!;
    }

    public async ValueTask DisposeAsync()
    {
        await Api.DisposeAsync();
        await Simulator.DisposeAsync();
    }
}
