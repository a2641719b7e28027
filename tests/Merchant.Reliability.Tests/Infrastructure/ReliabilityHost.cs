using Merchant.Api.Hosting;
using Merchant.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;

namespace Merchant.Reliability.Tests.Infrastructure;

/// <summary>The keys, secrets and short timings every reliability host runs with (a copy of MerchantHost's, plus overrides).</summary>
public static class HostSettings
{
    public const string StorefrontKey = "rel-storefront-key";
    public const string OpsKey = "rel-ops-key";
    public const string NotifySecret = "rel-notify-secret";

    public static Dictionary<string, string?> For(string connectionString, string platformUrl, IDictionary<string, string?>? overrides = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Merchant"] = connectionString,
            ["Platform:BaseUrl"] = platformUrl,
            ["Platform:AppId"] = SimulatorHost.AppId,
            ["Platform:AppSecret"] = SimulatorHost.AppSecret,
            ["Platform:AppKey"] = SimulatorHost.AppKey,
            ["Platform:Timeout"] = "00:00:02",
            ["Merchant:NotifySecret"] = NotifySecret,
            ["Auth:StorefrontKeys:0"] = StorefrontKey,
            ["Auth:OpsKeys:0"] = OpsKey,
            ["Dispense:ResultTimeout"] = "00:00:03",
            ["Dispense:PollInterval"] = "00:00:01",
            ["Dispense:AttentionAfter"] = "00:00:20",
            ["Jobs:IdlePoll"] = "00:00:01",
            ["Jobs:Lease"] = "00:00:10",
            ["RateLimits:PerKeyPerSecond"] = "100000",
            ["RateLimits:AnonymousPerSecond"] = "100000",
            ["Serilog:MinimumLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        return settings;
    }
}

/// <summary>The API in this process on a real Kestrel port (so the simulator's callbacks reach it), environment "Testing".</summary>
// Any type of the API assembly names it; both the API and the simulator have a Program.
public sealed class ReliabilityHost : WebApplicationFactory<MerchantOptions>
{
    private readonly Dictionary<string, string?> _settings;

    static ReliabilityHost()
    {
        // Serilog reads its level while the builder is created, before the factory's settings apply.
        Environment.SetEnvironmentVariable("Serilog__MinimumLevel__Default", "Warning");
    }

    public ReliabilityHost(Dictionary<string, string?> settings)
    {
        _settings = settings;
        UseKestrel(0);
    }

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
    }
}
