using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Routing;
using Serilog;
using Serilog.Events;
using Serilog.Formatting.Json;

namespace Merchant.Api.Hosting;

public static class LoggingSetup
{
    /// <summary>
    /// Serilog to the console: readable lines locally, one JSON object per line in Production. Levels can be changed in the
    /// <c>Serilog</c> section of the configuration; sinks a host registers in DI are added (tests capture through one).
    /// </summary>
    public static void AddMerchantLogging(this WebApplicationBuilder builder)
    {
        var production = builder.Environment.IsProduction();
        // The static Log.Logger stays untouched: several hosts share a test process, and each must write to its own sinks.
        builder.Host.UseSerilog(preserveStaticLogger: true, configureLogger: (context, services, logger) =>
        {
            // Defaults first: the Serilog section of the configuration overrides any of them.
            logger.MinimumLevel.Information()
                .MinimumLevel.Override("Microsoft.AspNetCore", LogEventLevel.Warning)
                .MinimumLevel.Override("Microsoft.EntityFrameworkCore", LogEventLevel.Warning)
                .MinimumLevel.Override("System.Net.Http.HttpClient", LogEventLevel.Warning)
                .MinimumLevel.Override("Polly", LogEventLevel.Warning)
                .ReadFrom.Configuration(context.Configuration)
                .ReadFrom.Services(services)
                .Enrich.FromLogContext()
                .Enrich.With<Redaction.LogEnricher>();
            if (production)
            {
                logger.WriteTo.Console(new JsonFormatter(renderMessage: true));
            }
            else
            {
                logger.WriteTo.Console(outputTemplate: "[{Timestamp:HH:mm:ss.fff} {Level:u3}] {SourceContext}: {Message:lj} {Properties:j}{NewLine}{Exception}");
            }
        });
    }

    /// <summary>
    /// One line per request, written outside the exception handler so it carries the status the client received (a problem
    /// made from an exception included) and the time to the last byte. The route template stands for the path: notify
    /// URLs carry a secret token, and a raw path would put it in the log. Problems add their <c>code</c>, and
    /// <see cref="RequestLogContext"/> the trade and machine.
    /// </summary>
    public static void UseMerchantRequestLogging(this WebApplication app) => app.UseSerilogRequestLogging(options =>
    {
        options.Logger = app.Services.GetRequiredService<Serilog.ILogger>();
        options.MessageTemplate = "HTTP {RequestMethod} {Route} → {StatusCode} in {Elapsed:0.0} ms";
        options.GetMessageTemplateProperties = (http, _, elapsed, status) =>
        [
            new LogEventProperty("RequestMethod", new ScalarValue(http.Request.Method)),
            new LogEventProperty("Route", new ScalarValue(RouteOf(http))),
            new LogEventProperty("StatusCode", new ScalarValue(status)),
            new LogEventProperty("Elapsed", new ScalarValue(elapsed)),
        ];
        options.GetLevel = (http, _, error) => error is not null || http.Response.StatusCode >= 500 ? LogEventLevel.Error
            // Probes and scrapes come every few seconds; a line each would drown the log. Their failures still show.
            : (http.Request.Path.StartsWithSegments("/health") || http.Request.Path.StartsWithSegments(Telemetry.PrometheusScrape.Path))
                && http.Response.StatusCode < 400 ? LogEventLevel.Verbose
            : LogEventLevel.Information;
        options.EnrichDiagnosticContext = (diagnostics, http) =>
        {
            var routeValues = http.Features.Get<IExceptionHandlerFeature>()?.RouteValues ?? http.Request.RouteValues;
            foreach (var (routeValue, property) in new[] { ("trade_id", "TradeId"), ("machine_no", "MachineNo") })
            {
                if (routeValues.TryGetValue(routeValue, out var found) && found is string value)
                {
                    diagnostics.Set(property, value);
                }
            }
        };
    });

    // The exception handler clears the endpoint before it writes the problem; it keeps the original for us.
    private static string RouteOf(HttpContext http) => (http.GetEndpoint() ?? http.Features.Get<IExceptionHandlerFeature>()?.Endpoint) switch
    {
        RouteEndpoint route => "/" + route.RoutePattern.RawText?.TrimStart('/'),
        _ when http.Request.Path.StartsWithSegments("/demo") => "/demo/*",
        _ => "(no route)",
    };
}
