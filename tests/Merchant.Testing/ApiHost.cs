using Merchant.Api.Hosting;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Merchant.Testing;

/// <summary>The settings every test host of the API starts from: the simulator's credentials, the test's keys, short timings.</summary>
public static class ApiTestSettings
{
    public static Dictionary<string, string?> For(string connectionString, string platformUrl,
        string storefrontKey, string opsKey, string notifySecret, IDictionary<string, string?>? overrides = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Merchant"] = connectionString,
            ["Platform:BaseUrl"] = platformUrl,
            ["Platform:AppId"] = SimulatorHost.AppId,
            ["Platform:AppSecret"] = SimulatorHost.AppSecret,
            ["Platform:AppKey"] = SimulatorHost.AppKey,
            ["Platform:Timeout"] = "00:00:03",
            ["Merchant:NotifySecret"] = notifySecret,
            ["Auth:StorefrontKeys:0"] = storefrontKey,
            ["Auth:OpsKeys:0"] = opsKey,
            ["Dispense:ResultTimeout"] = "00:00:03",
            ["Dispense:PollInterval"] = "00:00:01",
            ["Dispense:AttentionAfter"] = "00:00:20",
            ["Jobs:IdlePoll"] = "00:00:01",
            ["Serilog:MinimumLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        return settings;
    }
}

/// <summary>
/// The API in the test's process on a real Kestrel port (so the simulator's callbacks and a browser reach it),
/// environment "Testing", configured by <see cref="ApiTestSettings"/>. The one in-process host of every test project.
/// </summary>
// Any type of the API assembly names it; both the API and the simulator have a Program.
public class ApiHost : WebApplicationFactory<MerchantOptions>
{
    private readonly IDictionary<string, string?> _settings;
    private readonly Action<IServiceCollection>? _services;

    /// <param name="services">Test-only services (a log sink, a span exporter), added after the API's own.</param>
    public ApiHost(IDictionary<string, string?> settings, Action<IServiceCollection>? services = null)
    {
        _settings = settings;
        _services = services;
        UseKestrel(0);
    }

    /// <summary>The address Kestrel listens on.</summary>
    public string BaseUrl =>
        Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');

    public HttpClient Client(string? apiKey)
    {
        var client = CreateClient();
        client.Timeout = TimeSpan.FromSeconds(30);
        if (apiKey is not null)
        {
            client.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        }

        return client;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.ConfigureAppConfiguration((_, config) => config.AddInMemoryCollection(_settings));
        if (_services is not null)
        {
            builder.ConfigureTestServices(_services);
        }
    }
}
