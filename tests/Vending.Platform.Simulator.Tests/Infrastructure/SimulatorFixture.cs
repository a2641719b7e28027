using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Vending.Platform.Simulator.State;

namespace Vending.Platform.Simulator.Tests.Infrastructure;

/// <summary>One simulator on a loopback port plus a fake notify receiver, per test class.</summary>
public sealed class SimulatorFixture : IAsyncLifetime
{
    private WebApplication? _app;

    public string BaseUrl { get; private set; } = "";

    public PlatformClient Platform { get; private set; } = null!;

    public ControlClient Control { get; private set; } = null!;

    public NotifyReceiver Receiver { get; } = new();

    public SimulatorState State => _app!.Services.GetRequiredService<SimulatorState>();

    public SimClock Clock => _app!.Services.GetRequiredService<SimClock>();

    public static string AddressOf(WebApplication app) =>
        app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>()
            .Addresses.First().TrimEnd('/');

    public async Task InitializeAsync()
    {
        await Receiver.StartAsync();
        _app = SimulatorApp.Build(
            ["--urls", "http://127.0.0.1:0", "--Logging:LogLevel:Default=Warning"],
            options => options.ResultDelay = TimeSpan.FromMilliseconds(150));
        await _app.StartAsync();
        BaseUrl = AddressOf(_app);
        var http = new HttpClient { BaseAddress = new Uri(BaseUrl), Timeout = TimeSpan.FromSeconds(10) };
        Platform = new PlatformClient(http, "kva");
        Control = new ControlClient(http);
    }

    public async Task DisposeAsync()
    {
        Platform.Http.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        await Receiver.DisposeAsync();
    }

    public async Task<(long OrderId, long[] RecordIds)> CreatePaidOrderAsync(
        string machineNo, string notifyKey, params (long ProductId, int Quantity)[] lines)
    {
        var orderId = await CreateOrderAsync(machineNo, notifyKey, lines);
        var paid = await Platform.PutAsync($"/orders/{orderId}", new() { ["machine_no"] = machineNo, ["status"] = 1 });
        paid.IsOk.ShouldBeTrue(paid.Raw);
        var order = await Platform.PostAsync($"/orders/{orderId}", new() { ["machine_no"] = machineNo });
        var records = order.Data.GetProperty("records").EnumerateArray().Select(r => r.GetProperty("id").GetInt64()).ToArray();
        return (orderId, records);
    }

    public async Task<long> CreateOrderAsync(string machineNo, string notifyKey, params (long ProductId, int Quantity)[] lines)
    {
        var reply = await Platform.PostJsonAsync("/orders", new
        {
            machine_no = machineNo,
            notify_url = Receiver.UrlFor(notifyKey),
            trade_id = NewTradeId(),
            products = lines.Select(l => new { product_id = l.ProductId, quantity = l.Quantity }).ToArray(),
        });
        reply.IsOk.ShouldBeTrue(reply.Raw);
        return reply.Data.GetProperty("order_id").GetInt64();
    }

    public Task<PlatformReply> DispenseAsync(string machineNo, long orderId, long recordId) =>
        Platform.PostAsync("/deliveries", new()
        {
            ["machine_no"] = machineNo,
            ["method"] = "device.delivery.put",
            ["order_id"] = orderId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["record_id"] = recordId.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });

    public static string NewTradeId() => DateTime.UtcNow.ToString("yyyyMMddHHmmss", System.Globalization.CultureInfo.InvariantCulture)
        + Random.Shared.NextInt64(100_000_000, 999_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);
}
