using WeChatPay;

namespace Merchant.Api.Payments.WeChatPay;

public static class WeChatPaySetup
{
    /// <summary>
    /// The WeChat Pay client and provider. Its settings are required (and checked at start) only where WeChat Pay is in
    /// use: it takes new payments (<c>Payments:Provider</c>), or a merchant id is configured for trades still under way.
    /// </summary>
    public static IServiceCollection AddWeChatPayProvider(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddWeChatPay(configuration.GetSection(WeChatPayOptions.SectionName));
        // Read from the configuration, not IOptions<PaymentsOptions>: a bad Payments section must fail alone, naming its own key.
        services.AddOptions<WeChatPayOptions>().PostConfigure(wechat =>
            wechat.Enabled = wechat.Enabled
                && (string.Equals(configuration["Payments:Provider"], WeChatPayProvider.ProviderName, StringComparison.OrdinalIgnoreCase)
                    || !string.IsNullOrWhiteSpace(wechat.MchId)));
        services.AddScoped<IPaymentProvider, WeChatPayProvider>();
        return services;
    }
}
