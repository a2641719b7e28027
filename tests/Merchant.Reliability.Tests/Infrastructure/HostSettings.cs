using Merchant.Testing;

namespace Merchant.Reliability.Tests.Infrastructure;

/// <summary>The keys and settings of every reliability host, in process (<see cref="ApiHost"/>) or not (<see cref="ApiProcess"/>).</summary>
public static class HostSettings
{
    public const string StorefrontKey = "rel-storefront-key";
    public const string OpsKey = "rel-ops-key";
    public const string NotifySecret = "rel-notify-secret";

    public static Dictionary<string, string?> For(string connectionString, string platformUrl, IDictionary<string, string?>? overrides = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Platform:Timeout"] = "00:00:02",
            ["Jobs:Lease"] = "00:00:10",
            // Load and fuzz come from one address and one key.
            ["RateLimits:PerKeyPerSecond"] = "100000",
            ["RateLimits:AnonymousPerSecond"] = "100000",
        };
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        return ApiTestSettings.For(connectionString, platformUrl, StorefrontKey, OpsKey, NotifySecret, settings);
    }
}
