using Microsoft.Extensions.Options;

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
/// Local values of the keys a production instance must set, used only in Development: elsewhere the options
/// validators stop the start naming each one that is missing (API.md).
/// </summary>
public static class RequiredSettings
{
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
}

internal sealed class MerchantOptionsValidator : IValidateOptions<MerchantOptions>
{
    public ValidateOptionsResult Validate(string? name, MerchantOptions options)
    {
        List<string> failures = [];
        if (!string.IsNullOrEmpty(options.PublicBaseUrl))
        {
            failures.BaseUrl("Merchant:PublicBaseUrl", options.PublicBaseUrl);
        }

        failures.Secret("Merchant:NotifySecret", options.NotifySecret, required: true);
        return failures.ToResult();
    }
}

internal sealed class OrdersOptionsValidator : IValidateOptions<OrdersOptions>
{
    public ValidateOptionsResult Validate(string? name, OrdersOptions options)
    {
        List<string> failures = [];
        failures.Between("Orders:PaymentWindow", options.PaymentWindow, TimeSpan.FromSeconds(1), TimeSpan.FromDays(1));
        failures.Between("Orders:PlatformOrderLifetime", options.PlatformOrderLifetime, TimeSpan.FromSeconds(1), TimeSpan.FromDays(1));
        // A payment taken after the platform's cut-off can no longer be confirmed to it: the window must close first.
        failures.ShorterThan("Orders:PaymentWindow", options.PaymentWindow, "Orders:PlatformOrderLifetime", options.PlatformOrderLifetime);
        return failures.ToResult();
    }
}

internal sealed class DispenseOptionsValidator : IValidateOptions<DispenseOptions>
{
    public ValidateOptionsResult Validate(string? name, DispenseOptions options)
    {
        List<string> failures = [];
        failures.Between("Dispense:ResultTimeout", options.ResultTimeout, TimeSpan.FromSeconds(1), TimeSpan.FromHours(1));
        failures.Between("Dispense:PollInterval", options.PollInterval, TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(10));
        failures.Between("Dispense:AttentionAfter", options.AttentionAfter, TimeSpan.FromSeconds(1), TimeSpan.FromDays(1));
        failures.Between("Dispense:SendDeadline", options.SendDeadline, TimeSpan.FromSeconds(1), TimeSpan.FromDays(1));
        // The first poll runs after ResultTimeout; a line already overdue then would go to needs_attention without a second look.
        failures.ShorterThan("Dispense:ResultTimeout", options.ResultTimeout, "Dispense:AttentionAfter", options.AttentionAfter);
        return failures.ToResult();
    }
}
