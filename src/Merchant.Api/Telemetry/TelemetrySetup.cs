using Merchant.Api.Hosting;
using Microsoft.Extensions.Options;
using Npgsql;
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

    /// <summary>Record traces; empty means "when there is an OTLP endpoint to send them to".</summary>
    public bool? Tracing { get; set; }

    /// <summary>
    /// A management port for the Prometheus scrape (<c>/metrics</c> without a key, and then not on the API's port: keep the
    /// management port private). Empty: <c>/metrics</c> on the API's own port, for ops keys only. 0: any free port (tests).
    /// </summary>
    public int? MetricsPort { get; set; }

    /// <summary>The address the management port listens on; loopback unless set (a container sets 0.0.0.0).</summary>
    public string MetricsHost { get; set; } = "127.0.0.1";

    internal bool TracingOn => Tracing ?? !string.IsNullOrWhiteSpace(OtlpEndpoint);
}

internal sealed class TelemetryOptionsValidator : IValidateOptions<TelemetryOptions>
{
    public ValidateOptionsResult Validate(string? name, TelemetryOptions options)
    {
        List<string> failures = [];
        if (!string.IsNullOrWhiteSpace(options.OtlpEndpoint)
            && (!Uri.TryCreate(options.OtlpEndpoint, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")))
        {
            failures.Add("Telemetry:OtlpEndpoint must be an absolute http(s) URL.");
        }

        if (string.IsNullOrWhiteSpace(options.ServiceName))
        {
            failures.Add("Telemetry:ServiceName must not be empty.");
        }

        if (options.MetricsPort is < 0 or > 65535)
        {
            failures.Add("Telemetry:MetricsPort must be a TCP port (1-65535, or 0 for any free one).");
        }

        if (string.IsNullOrWhiteSpace(options.MetricsHost) || options.MetricsHost.Any(c => char.IsWhiteSpace(c) || c is '/' or '?'))
        {
            failures.Add("Telemetry:MetricsHost must be a host name or address.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

public static class TelemetrySetup
{
    public static IServiceCollection AddMerchantTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<TelemetryOptions>().Bind(configuration.GetSection("Telemetry")).ValidateOnStart();
        services.AddSingleton<IValidateOptions<TelemetryOptions>, TelemetryOptionsValidator>();
        services.AddSingleton<MetricsSnapshot>();
        services.AddSingleton<ManagementServer>();
        services.AddHostedService(sp => sp.GetRequiredService<ManagementServer>());
        services.AddTransient<PlatformCallMetrics>();
        // Innermost on the SDK's client: every attempt is timed, retries included.
        services.AddHttpClient(PlatformServiceCollectionExtensions.HttpClientName).AddHttpMessageHandler<PlatformCallMetrics>();

        // The instrumentation is registered always; whether traces are recorded and where anything is exported is decided
        // when the providers are built, from the configuration the host ends up with (a test host's included).
        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(configuration["Telemetry:ServiceName"] ?? "merchant-api"))
            .WithTracing(tracing =>
            {
                tracing.AddSource(MerchantTelemetry.Name)
                    .AddAspNetCoreInstrumentation(o =>
                    {
                        o.Filter = http => !http.Request.Path.StartsWithSegments("/health");
                        // Spans are logs too: notify URLs carry a secret token (DESIGN §4).
                        o.EnrichWithHttpRequest = (activity, request) => activity.SetTag("url.path", Redaction.MaskNotifyToken(request.Path.Value ?? ""));
                    })
                    .AddHttpClientInstrumentation(o => o.EnrichWithHttpRequestMessage = (activity, request) =>
                        activity.SetTag("url.full", Redaction.MaskNotifyToken(request.RequestUri?.ToString() ?? "")))
                    .AddNpgsql()
                    // Without a sampler saying yes no span is even created: tracing off costs (almost) nothing.
                    .SetSampler(provider => Options(provider).TracingOn ? new ParentBasedSampler(new AlwaysOnSampler()) : new AlwaysOffSampler());
                ((IDeferredTracerProviderBuilder)tracing).Configure((provider, builder) =>
                {
                    if (Otlp(Options(provider)) is { } otlp)
                    {
                        builder.AddProcessor(new BatchActivityExportProcessor(new OtlpTraceExporter(otlp)));
                    }
                });
            })
            .WithMetrics(metrics =>
            {
                // ASP.NET Core's instrumentation adds the framework's meters: Hosting (http.server.request.duration, counted
                // at the end of the pipeline, so with the status the client received), Kestrel (connections), Routing,
                // Diagnostics (exceptions) and RateLimiting. Of Npgsql's meter only the pool's instruments (the data source
                // is named, so its label is "merchant", never the connection string): whether requests wait for a
                // connection (decision 0028). Its per-command instruments are dropped, so they cost nothing per statement.
                metrics.AddMeter(MerchantTelemetry.Name, NpgsqlMeter)
                    .AddView(instrument => instrument.Meter.Name == NpgsqlMeter && !NpgsqlPoolInstruments.Contains(instrument.Name)
                        ? MetricStreamConfiguration.Drop
                        : null)
                    .AddAspNetCoreInstrumentation()
                    .AddHttpClientInstrumentation()
                    // Pulled by each scrape, so it always costs nothing between scrapes and exports nothing by itself.
                    .AddPrometheusExporter(o => o.ScrapeEndpointPath = PrometheusScrape.Path);
                ((IDeferredMeterProviderBuilder)metrics).Configure((provider, builder) =>
                {
                    if (Otlp(Options(provider)) is { } otlp)
                    {
                        builder.AddReader(new PeriodicExportingMetricReader(new OtlpMetricExporter(otlp)));
                    }
                });
            });
        return services;
    }

    private const string NpgsqlMeter = "Npgsql";

    private static readonly HashSet<string> NpgsqlPoolInstruments =
    [
        "db.client.connection.count", "db.client.connection.max", "db.client.connection.npgsql.pending_requests",
        "db.client.connection.npgsql.timeouts",
    ];

    private static TelemetryOptions Options(IServiceProvider provider) => provider.GetRequiredService<IOptions<TelemetryOptions>>().Value;

    private static OtlpExporterOptions? Otlp(TelemetryOptions options) =>
        string.IsNullOrWhiteSpace(options.OtlpEndpoint) ? null : new OtlpExporterOptions { Endpoint = new Uri(options.OtlpEndpoint) };
}
