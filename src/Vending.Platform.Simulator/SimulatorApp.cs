using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;
using Vending.Platform.Simulator.Callbacks;
using Vending.Platform.Simulator.Catalog;
using Vending.Platform.Simulator.Control;
using Vending.Platform.Simulator.Deliveries;
using Vending.Platform.Simulator.Orders;
using Vending.Platform.Simulator.PickupCodes;
using Vending.Platform.Simulator.Platform;
using Vending.Platform.Simulator.Replenishments;
using Vending.Platform.Simulator.State;

namespace Vending.Platform.Simulator;

/// <summary>Builds the platform simulator: the Open API v1 under /api/openapi/v1 and the control API under /_sim.</summary>
public static class SimulatorApp
{
    public const string DefaultUrl = "http://127.0.0.1:5080";

    public static WebApplication Build(string[] args, Action<SimulatorOptions>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        if (string.IsNullOrEmpty(builder.Configuration["urls"]))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Hosting", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Information);
        builder.Logging.AddFilter("System.Net.Http", LogLevel.Warning);

        builder.Services.Configure<SimulatorOptions>(builder.Configuration.GetSection(SimulatorOptions.SectionName));
        if (configure is not null)
        {
            builder.Services.PostConfigure(configure);
        }

        builder.Services.ConfigureHttpJsonOptions(json =>
        {
            json.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
            json.SerializerOptions.Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
            json.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower));
        });
        builder.Services.AddSingleton(sp =>
            new SimClock(DateTimeOffset.UtcNow, sp.GetRequiredService<IOptions<SimulatorOptions>>().Value.ClockSpeed));
        builder.Services.AddSingleton<SimulatorState>();
        builder.Services.AddSingleton<CatalogService>();
        builder.Services.AddSingleton<OrderService>();
        builder.Services.AddSingleton<PickupCodeService>();
        builder.Services.AddSingleton<DeliveryService>();
        builder.Services.AddSingleton<ReplenishmentService>();
        builder.Services.AddSingleton<ControlService>();
        builder.Services.AddHostedService<DeviceLoop>();
        builder.Services.AddHostedService<CallbackDispatcher>();

        var app = builder.Build();
        var api = app.MapGroup(PlatformPipeline.Prefix);
        api.MapCatalog();
        api.MapOrders();
        api.MapPickupCodes();
        api.MapDeliveries();
        api.MapReplenishments();
        app.MapControl();
        return app;
    }
}
