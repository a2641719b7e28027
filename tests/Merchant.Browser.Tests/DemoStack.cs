using System.Net.Http.Json;
using Merchant.Api.Hosting;
using Merchant.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Vending.Platform.Simulator.Control;

namespace Merchant.Browser.Tests;

/// <summary>The API on a real Kestrel port with the storefront demo on, so a browser and the simulator's callbacks both reach it.</summary>
// Any type of the API assembly names it; both the API and the simulator have a Program.
public sealed class DemoHost : WebApplicationFactory<MerchantOptions>
{
    public const string StorefrontKey = "browser-storefront-key";
    public const string OpsKey = "browser-ops-key";

    private readonly Dictionary<string, string?> _settings;

    static DemoHost()
    {
        // Serilog reads its level while the builder is created, before the factory's settings apply.
        Environment.SetEnvironmentVariable("Serilog__MinimumLevel__Default", "Warning");
    }

    public DemoHost(string connectionString, string platformUrl)
    {
        _settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Merchant"] = connectionString,
            ["Platform:BaseUrl"] = platformUrl,
            ["Platform:AppId"] = SimulatorHost.AppId,
            ["Platform:AppSecret"] = SimulatorHost.AppSecret,
            ["Platform:AppKey"] = SimulatorHost.AppKey,
            ["Platform:Timeout"] = "00:00:03",
            ["Merchant:NotifySecret"] = "browser-notify-secret",
            ["Auth:StorefrontKeys:0"] = StorefrontKey,
            ["Auth:OpsKeys:0"] = OpsKey,
            ["Dispense:ResultTimeout"] = "00:00:05",
            ["Dispense:PollInterval"] = "00:00:01",
            ["Jobs:IdlePoll"] = "00:00:01",
            ["Serilog:MinimumLevel:Default"] = "Warning",
            ["Demo:Enabled"] = "true",
            ["Demo:StorefrontKey"] = StorefrontKey,
        };
        UseKestrel(0);
    }

    /// <summary>The address Kestrel listens on, for the browser.</summary>
    public string BaseUrl =>
        Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');

    public HttpClient Storefront
    {
        get
        {
            var client = CreateClient();
            client.Timeout = TimeSpan.FromSeconds(30);
            client.DefaultRequestHeaders.Add("X-Api-Key", StorefrontKey);
            return client;
        }
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.ConfigureAppConfiguration((_, config) => config.AddInMemoryCollection(_settings));
    }
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
