using Merchant.Api.Auth;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;

namespace Merchant.Api.Telemetry;

/// <summary>
/// The Prometheus scrape (OpenTelemetry's Prometheus exporter on the service's MeterProvider, decision 0022): our meter and
/// ASP.NET Core's, Kestrel's and HttpClient's, in the text format at <c>/metrics</c>. Labels are the instruments' own tags:
/// route templates, methods, statuses, outcomes, kinds — never ids, tokens or keys.
/// </summary>
public static class PrometheusScrape
{
    public const string Path = "/metrics";

    /// <summary>On the API's port, for ops keys, unless a management port serves the scrape (then only there).</summary>
    public static void MapMerchantMetrics(this WebApplication app)
    {
        if (app.Services.GetRequiredService<IOptions<TelemetryOptions>>().Value.MetricsPort is null)
        {
            app.MapPrometheusScrapingEndpoint(Path).RequireAuthorization(ApiKeyServiceCollectionExtensions.OpsPolicy).ExcludeFromDescription();
        }
    }
}

/// <summary>
/// The management port (<c>Telemetry:MetricsPort</c>): a second, empty server for the scrape alone, so Prometheus needs no
/// API key and the public port does not serve it. It reads the API's own MeterProvider; started and stopped with the host.
/// </summary>
public sealed partial class ManagementServer(IOptions<TelemetryOptions> options, MeterProvider meters, ILogger<ManagementServer> logger)
    : IHostedService, IAsyncDisposable
{
    private WebApplication? _app;

    /// <summary>The address it listens on, once started (the port is known only then when 0 was asked for).</summary>
    public string? Address { get; private set; }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Value.MetricsPort is not { } port)
        {
            return;
        }

        // Empty, not slim: no appsettings, no environment variables, no URLs of the API's — only what is set here.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().UseUrls($"http://{options.Value.MetricsHost}:{port}");
        builder.Services.AddRouting();
        _app = builder.Build();
        _app.MapPrometheusScrapingEndpoint(PrometheusScrape.Path, meters, configureBranchedPipeline: null, optionsName: null);
        await _app.StartAsync(cancellationToken);
        Address = _app.Urls.First();
        LogListening(logger, Address, PrometheusScrape.Path);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_app is not null)
        {
            await _app.StopAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

    [LoggerMessage(1, LogLevel.Information, "Prometheus scrape on {Address}{Path}")]
    private static partial void LogListening(ILogger logger, string address, string path);
}
