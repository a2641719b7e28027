namespace Merchant.Api.Hosting;

public sealed class MerchantOptions
{
    /// <summary>Where the platform can reach us; empty means the address this process listens on.</summary>
    public string? PublicBaseUrl { get; set; }

    /// <summary>Key of the per-trade notify tokens.</summary>
    public string NotifySecret { get; set; } = string.Empty;

    public override string ToString() => $"PublicBaseUrl={PublicBaseUrl}, NotifySecret=***";
}

public sealed class OrdersOptions
{
    /// <summary>How long a customer may pay after checkout; leaves time to tell the platform before its 20-minute cut-off.</summary>
    public TimeSpan PaymentWindow { get; set; } = TimeSpan.FromMinutes(18);

    /// <summary>The platform invalidates unpaid orders after this long (CONTRACT §3.3).</summary>
    public TimeSpan PlatformOrderLifetime { get; set; } = TimeSpan.FromMinutes(20);
}

public sealed class DispenseOptions
{
    /// <summary>How long to wait for a dispense callback before asking the platform.</summary>
    public TimeSpan ResultTimeout { get; set; } = TimeSpan.FromSeconds(150);

    /// <summary>Refund lines the platform reports IS_TIMEOUT (the device never answered).</summary>
    public bool RefundOnTimeout { get; set; } = true;

    /// <summary>A line still dispensing this long after its command goes to needs_attention, never to a refund.</summary>
    public TimeSpan AttentionAfter { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How often to ask the platform again while a line's result is still unknown.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How long to keep trying to send a command the platform refused (machine busy or offline) before refunding.</summary>
    public TimeSpan SendDeadline { get; set; } = TimeSpan.FromMinutes(10);
}

/// <summary>
/// The keys a production instance cannot run without (API.md: refuse to start, naming the key),
/// and the local defaults used only in Development.
/// </summary>
public static class RequiredSettings
{
    public static readonly string[] Keys =
    [
        "ConnectionStrings:Merchant",
        "Platform:BaseUrl",
        "Platform:AppId",
        "Platform:AppSecret",
        "Platform:AppKey",
        "Merchant:NotifySecret",
        "Auth:StorefrontKeys:0",
        "Auth:OpsKeys:0",
    ];

    public static readonly IReadOnlyDictionary<string, string?> DevelopmentDefaults = new Dictionary<string, string?>
    {
        ["ConnectionStrings:Merchant"] = "Host=127.0.0.1;Port=54329;Database=merchant;Username=postgres",
        ["Platform:BaseUrl"] = "http://127.0.0.1:5080",
        ["Platform:AppId"] = "demo-app",
        ["Platform:AppSecret"] = "demo-secret",
        ["Platform:AppKey"] = "kva",
        ["Merchant:NotifySecret"] = "development-notify-secret",
        ["Auth:StorefrontKeys:0"] = "dev-storefront-key",
        ["Auth:OpsKeys:0"] = "dev-ops-key",
        ["Demo:Enabled"] = "true",
        ["Demo:StorefrontKey"] = "dev-storefront-key",
    };

    public static void Validate(IConfiguration configuration)
    {
        var missing = Keys.Where(k => string.IsNullOrWhiteSpace(configuration[k])).ToList();
        if (missing.Count > 0)
        {
            throw new InvalidOperationException(
                $"Missing required configuration: {string.Join(", ", missing.Select(k => k.EndsWith(":0", StringComparison.Ordinal) ? k[..^2] : k))}. "
                + "Set them in appsettings.json or as environment variables (use __ for :).");
        }
    }
}
