using Microsoft.Extensions.Options;
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
        services.AddOptions<WeChatPayOptions>().PostConfigure<IOptions<PaymentsOptions>>((wechat, payments) =>
            wechat.Enabled = wechat.Enabled
                && (string.Equals(payments.Value.Provider, WeChatPayProvider.ProviderName, StringComparison.OrdinalIgnoreCase)
                    || !string.IsNullOrWhiteSpace(wechat.MchId)));
        services.AddScoped<IPaymentProvider, WeChatPayProvider>();
        return services;
    }
}
