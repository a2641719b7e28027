using System.Net.Http.Json;
using Merchant.Testing;
using Vending.Platform.Simulator.Control;

namespace Merchant.Browser.Tests;

/// <summary>The API with the storefront demo on (see <see cref="ApiHost"/>), so a browser and the simulators' callbacks all reach it.</summary>
public sealed class DemoHost(string connectionString, string platformUrl, IDictionary<string, string?> settings) : ApiHost(ApiTestSettings.For(
    connectionString, platformUrl, StorefrontKey, OpsKey, "browser-notify-secret", new Dictionary<string, string?>(settings)
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

/// <summary>A database, the simulator and the API with the demo on (payments by the sandbox or by the WeChat Pay simulator), wired together for one test.</summary>
public sealed class DemoStack : IAsyncDisposable
{
    private static int _machines;
    private readonly WeChatPayHost? _wechatPay;

    private DemoStack(SimulatorHost simulator, DemoHost api, WeChatPayHost? wechatPay)
    {
        Simulator = simulator;
        Api = api;
        _wechatPay = wechatPay;
    }

    public SimulatorHost Simulator { get; }

    public DemoHost Api { get; }

    public WeChatPayHost WeChatPay => _wechatPay ?? throw new InvalidOperationException("This stack takes payments through the sandbox.");

    public static Task<DemoStack> StartAsync() => StartAsync(wechatPay: null);

    /// <summary>WeChat Pay through its simulator, with the demo's "Scan and pay (simulator)" button, as <c>./run.sh --provider wechatpay</c>.</summary>
    public static async Task<DemoStack> StartWithWeChatPayAsync() => await StartAsync(await WeChatPayHost.StartAsync());

    private static async Task<DemoStack> StartAsync(WeChatPayHost? wechatPay)
    {
        var server = await PostgresServer.GetAsync();
        var database = await server.CreateDatabaseAsync("merchant_browser");
        var simulator = await SimulatorHost.StartAsync();
        var settings = wechatPay?.ApiSettings() ?? [];
        if (wechatPay is not null)
        {
            settings["Demo:WeChatPaySimulatorUrl"] = wechatPay.BaseUrl;
        }

        var api = new DemoHost(database, simulator.BaseUrl, settings);
        api.StartServer();
        return new DemoStack(simulator, api, wechatPay);
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
        if (_wechatPay is not null)
        {
            await _wechatPay.DisposeAsync();
        }
    }
}
