using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Vending.Platform.Simulator;
using Vending.Platform.Simulator.Control;

namespace Merchant.Testing;

/// <summary>The platform simulator on a loopback port, with typed access to its /_sim control API.</summary>
public sealed class SimulatorHost : IAsyncDisposable
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private static int _machines;
    private readonly WebApplication _app;

    private SimulatorHost(WebApplication app, string baseUrl)
    {
        _app = app;
        BaseUrl = baseUrl;
        Control = new HttpClient { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromSeconds(30) };
    }

    public string BaseUrl { get; }

    public HttpClient Control { get; }

    public const string AppId = "test-app";
    public const string AppSecret = "test-app-secret";
    public const string AppKey = "test-key";

    public static async Task<SimulatorHost> StartAsync(Action<SimulatorOptions>? configure = null)
    {
        var app = SimulatorApp.Build(["--urls", "http://127.0.0.1:0", "--Logging:LogLevel:Default=Warning"], options =>
        {
            options.AppId = AppId;
            options.AppSecret = AppSecret;
            options.AppKey = AppKey;
            options.ResultDelay = TimeSpan.FromMilliseconds(100);
            configure?.Invoke(options);
        });
        await app.StartAsync();
        return new SimulatorHost(app, app.Urls.First());
    }

    /// <summary>A machine of this test's own, so parallel tests never share stock, locks or faults.</summary>
    public async Task<MachineView> CreateMachineAsync(string model = "spring", int products = 3, int stock = 20, bool pickupCodes = false,
        string price = "1.00", int? lockSeconds = null)
    {
        var number = $"{77_000_000 + (Interlocked.Increment(ref _machines) * 7919 % 1_000_000) + (Environment.ProcessId % 97 * 10_000)}";
        var request = new CreateMachineRequest(number, $"Test machine {number}", model, true, true, pickupCodes, lockSeconds, null,
            [.. Enumerable.Range(1, products).Select(i => new CreateProductRequest($"Product {i}", price, stock, Math.Max(stock, 20), 1, true, null))]);
        var response = await Control.PostAsJsonAsync("/_sim/machines", request, Json);
        await EnsureAsync(response);
        return (await response.Content.ReadFromJsonAsync<MachineView>(Json))!;
    }

    public async Task<MachineView> MachineAsync(string machineNo) =>
        (await Control.GetFromJsonAsync<MachineView>($"/_sim/machines/{machineNo}", Json))!;

    public async Task<CommandLogView> CommandsAsync(string machineNo) =>
        (await Control.GetFromJsonAsync<CommandLogView>($"/_sim/commands?machine_no={machineNo}", Json))!;

    public async Task<IReadOnlyList<CallbackView>> CallbacksAsync(string machineNo) =>
        (await Control.GetFromJsonAsync<List<CallbackView>>($"/_sim/callbacks?machine_no={machineNo}", Json))!;

    public async Task<OrderView> OrderAsync(long orderId) =>
        (await Control.GetFromJsonAsync<OrderView>($"/_sim/orders/{orderId}", Json))!;

    public Task FailNextDispensesAsync(string machineNo, int count, string mode = "fail", string reason = "Goods are Stuck") =>
        PostAsync($"/_sim/machines/{machineNo}/dispense-faults", new DispenseFaultRequest(count, mode, reason, null));

    public Task CallbackFaultAsync(string machineNo, string mode, int count, int? delayMs = null) =>
        PostAsync("/_sim/callback-faults", new CallbackFaultRequest(machineNo, mode, count, delayMs));

    public Task EndpointFaultAsync(string endpoint, string mode, int count, string? machineNo = null, int? delayMs = null) =>
        PostAsync("/_sim/endpoint-faults", new EndpointFaultRequest(endpoint, machineNo, mode, count, delayMs));

    public Task SetOnlineAsync(string machineNo, bool online) =>
        SendAsync(HttpMethod.Put, $"/_sim/machines/{machineNo}", new UpdateMachineRequest(online, null, null, null, null));

    public Task AdvanceClockAsync(TimeSpan by) => PostAsync("/_sim/clock", new ClockRequest(by.TotalSeconds, null));

    public async Task<SettingsView> SettingsAsync(SettingsRequest change)
    {
        var response = await Control.PutAsJsonAsync("/_sim/settings", change, Json);
        await EnsureAsync(response);
        return (await response.Content.ReadFromJsonAsync<SettingsView>(Json))!;
    }

    public async ValueTask DisposeAsync()
    {
        Control.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private Task PostAsync<T>(string path, T body) => SendAsync(HttpMethod.Post, path, body);

    private async Task SendAsync<T>(HttpMethod method, string path, T body)
    {
        using var request = new HttpRequestMessage(method, path) { Content = JsonContent.Create(body, options: Json) };
        using var response = await Control.SendAsync(request);
        await EnsureAsync(response);
    }

    private static async Task EnsureAsync(HttpResponseMessage response)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"Simulator control call failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }
}
