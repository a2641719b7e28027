using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Vending.Platform;

namespace Merchant.Api.Telemetry;

public sealed class TelemetryOptions
{
    /// <summary>OTLP collector endpoint (e.g. http://collector:4317); empty = export nothing.</summary>
    public string? OtlpEndpoint { get; set; }

    public string ServiceName { get; set; } = "merchant-api";
}

public static class TelemetrySetup
{
    public static IServiceCollection AddMerchantTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<MetricsSnapshot>();
        services.AddTransient<PlatformCallMetrics>();
        // Innermost on the SDK's client: every attempt is timed, retries included.
        services.AddHttpClient(PlatformServiceCollectionExtensions.HttpClientName).AddHttpMessageHandler<PlatformCallMetrics>();

        var options = configuration.GetSection("Telemetry").Get<TelemetryOptions>() ?? new TelemetryOptions();
        if (!string.IsNullOrWhiteSpace(options.OtlpEndpoint))
        {
            var resource = ResourceBuilder.CreateDefault().AddService(options.ServiceName);
            void Exporter(OtlpExporterOptions o) => o.Endpoint = new Uri(options.OtlpEndpoint);
            services.AddSingleton(_ => Sdk.CreateMeterProviderBuilder().SetResourceBuilder(resource)
                .AddMeter(MerchantTelemetry.Name).AddOtlpExporter(Exporter).Build());
            services.AddSingleton(_ => Sdk.CreateTracerProviderBuilder().SetResourceBuilder(resource)
                .AddSource(MerchantTelemetry.Name, "Microsoft.AspNetCore", "System.Net.Http").AddOtlpExporter(Exporter).Build());
            services.AddHostedService<ExportersStarter>();
        }

        return services;
    }

    /// <summary>Creates the exporters at start-up; the container flushes and disposes them at shutdown.</summary>
    private sealed class ExportersStarter(MeterProvider meters, TracerProvider traces) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => Task.FromResult((meters, traces));

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
