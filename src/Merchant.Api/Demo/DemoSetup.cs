using Merchant.Api.Auth;
using Merchant.Api.Hosting;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Options;

namespace Merchant.Api.Demo;

public sealed class DemoOptions
{
    /// <summary>Serve the storefront demo at /demo (on in the local run, off by default).</summary>
    public bool Enabled { get; set; }

    /// <summary>The storefront key the demo page uses; it calls only the public API, like any storefront.</summary>
    public string? StorefrontKey { get; set; }

    /// <summary>The WeChat Pay simulator the demo's "Scan and pay" button asks to play the customer; local runs only.</summary>
    public string? WeChatPaySimulatorUrl { get; set; }

    public override string ToString() => $"Enabled={Enabled}, StorefrontKey=***, WeChatPaySimulatorUrl={WeChatPaySimulatorUrl}";
}

internal sealed class DemoOptionsValidator(IHostEnvironment? environment = null) : IValidateOptions<DemoOptions>
{
    // The environment the tests' hosts run in (ApiHost, ApiProcess).
    private const string TestingEnvironment = "Testing";

    public ValidateOptionsResult Validate(string? name, DemoOptions options)
    {
        List<string> failures = [];
        if (!string.IsNullOrEmpty(options.WeChatPaySimulatorUrl))
        {
            // A button that marks trades paid without money must never reach customers, whatever else the configuration says:
            // only the local run (Development) and the tests have it, not Production, Staging or a name made up for a server.
            if (environment is not null && !IsLocal(environment))
            {
                failures.Add($"Demo:WeChatPaySimulatorUrl is for local runs (Development, Testing) and is refused in {environment.EnvironmentName}.");
            }

            failures.BaseUrl("Demo:WeChatPaySimulatorUrl", options.WeChatPaySimulatorUrl);
        }

        if (options.Enabled)
        {
            // The page sends this key as it is: without one, or with only its hash, every call it makes is refused.
            var problem = ApiKeyStore.FormatProblem("Demo:StorefrontKey", options.StorefrontKey)
                ?? (ApiKeyStore.IsHashed(options.StorefrontKey!) ? "Demo:StorefrontKey must be the plain key, not its hash." : null);
            if (problem is not null)
            {
                failures.Add(problem);
            }
        }

        return failures.ToResult();
    }

    private static bool IsLocal(IHostEnvironment environment) =>
        environment.IsDevelopment() || environment.IsEnvironment(TestingEnvironment);
}

/// <summary>The storefront demo: static files under wwwroot/demo, the key it should use, its QR codes and its simulated customer.</summary>
public static class DemoSetup
{
    public static IServiceCollection AddDemo(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<DemoOptions, DemoOptionsValidator>(configuration.GetSection("Demo"));
        services.AddHttpClient<SimulatedCustomer>((sp, http) =>
        {
            var url = sp.GetRequiredService<IOptions<DemoOptions>>().Value.WeChatPaySimulatorUrl;
            if (!string.IsNullOrEmpty(url))
            {
                http.BaseAddress = new Uri(url.TrimEnd('/') + "/");
            }

            http.Timeout = TimeSpan.FromSeconds(10);
        });
        return services;
    }

    public static void MapDemo(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<DemoOptions>>().Value;
        if (!options.Enabled)
        {
            return;
        }

        var simulator = !string.IsNullOrEmpty(options.WeChatPaySimulatorUrl);
        app.MapGet("/demo/config.json", () => Results.Json(new { api_key = options.StorefrontKey ?? string.Empty, wechatpay_simulator = simulator }))
            .ExcludeFromDescription();
        app.MapGet("/demo/qr.svg", ([FromQuery] string? data) => DemoQrCode.Svg(data)).ExcludeFromDescription();
        if (simulator)
        {
            app.MapPost("/demo/wechatpay/trades/{trade_id}/pay",
                    ([FromRoute(Name = "trade_id")] string tradeId, SimulatedCustomer customer, CancellationToken cancellationToken) =>
                        customer.PayAsync(tradeId, cancellationToken))
                .RequireAuthorization(ApiKeyServiceCollectionExtensions.StorefrontPolicy)
                .ExcludeFromDescription();
        }

        // Run from the repository root there is no wwwroot beside us (WebRootPath is ""): use the copy in the output folder.
        var webRoot = string.IsNullOrEmpty(app.Environment.WebRootPath) || !Directory.Exists(Path.Combine(app.Environment.WebRootPath, "demo"))
            ? Path.Combine(AppContext.BaseDirectory, "wwwroot")
            : app.Environment.WebRootPath;
        var root = Path.Combine(webRoot, "demo");
        if (!Directory.Exists(root))
        {
            return;
        }

        var files = new PhysicalFileProvider(root);
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files, RequestPath = "/demo" });
        app.UseStaticFiles(new StaticFileOptions { FileProvider = files, RequestPath = "/demo" });
    }
}
