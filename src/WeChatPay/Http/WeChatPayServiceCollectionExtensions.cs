using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Refit;

namespace WeChatPay;

public static class WeChatPayServiceCollectionExtensions
{
    /// <summary>The name of WeChat Pay's HttpClient, for adding handlers of your own (they run per attempt, innermost).</summary>
    public const string HttpClientName = "WeChatPay";

    /// <summary>Binds <paramref name="section"/> (usually <c>Payments:WeChatPay</c>, see <see cref="WeChatPayOptions.SectionName"/>).</summary>
    public static IServiceCollection AddWeChatPay(this IServiceCollection services, IConfiguration section)
    {
        services.AddOptions<WeChatPayOptions>().Bind(section);
        return AddClient(services);
    }

    public static IServiceCollection AddWeChatPay(this IServiceCollection services, Action<WeChatPayOptions> configure)
    {
        services.AddOptions<WeChatPayOptions>().Configure(configure);
        return AddClient(services);
    }

    private static IServiceCollection AddClient(IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<WeChatPayOptions>, WeChatPayOptionsValidator>());
        services.AddOptions<WeChatPayOptions>().ValidateOnStart();

        services.TryAddSingleton<INonceSource, RandomNonceSource>();
        services.TryAddSingleton<MerchantSigner>();
        services.TryAddSingleton<WeChatPayPublicKey>();
        services.TryAddSingleton<PlatformCertificates>();
        services.TryAddSingleton<IWeChatPayKeys, WeChatPayKeyStore>();
        services.TryAddSingleton<WeChatPaySignatureVerifier>();
        services.TryAddSingleton<WeChatPayNotifications>();
        services.TryAddTransient<PlatformCertificateDownloader>();
        services.TryAddTransient<ResilienceOutcomeHandler>();
        services.TryAddTransient<ResponseHandler>();
        services.TryAddTransient<RequestSigningHandler>();

        // Generated, not reflection-built: our source does not serve Refit.Reflection (decision 0009).
        var client = services.AddRefitGeneratedClient<IWeChatPayEndpoints>(_ => new RefitSettings
            {
                ContentSerializer = new WeChatPayContentSerializer(),
                // The handlers already made every failure a WeChatPayException (or left the caller's cancellation alone).
                TransportExceptionFactory = (_, exception, _) => exception,
                DeserializationExceptionFactory = (response, exception) => ValueTask.FromResult<Exception?>(new WeChatPayException(
                    WeChatPayCall.Of(response.RequestMessage!).Name, WeChatPayErrorCategory.Unknown, "",
                    "WeChat Pay answered 2xx, signed, but the body is not the documented shape; query before acting.",
                    (int)response.StatusCode, outcomeUnknown: true, innerException: exception)),
            },
            HttpClientName)
            .ConfigureHttpClient((provider, http) =>
            {
                http.BaseAddress = new Uri(provider.GetRequiredService<IOptions<WeChatPayOptions>>().Value.BaseUrl.TrimEnd('/'), UriKind.Absolute);
                // The resilience pipeline times out each attempt and the whole call; HttpClient's 100 s default must not cut in first.
                http.Timeout = Timeout.InfiniteTimeSpan;
            });

        // Outermost first: what the pipeline decides (timeouts, open circuit) → the pipeline → per attempt: the answer's
        // judgement (verification, errors), then the signature.
        client.AddHttpMessageHandler<ResilienceOutcomeHandler>();
        client.AddStandardResilienceHandler()
            .Configure((resilience, provider) => WeChatPayResilience.Configure(resilience, provider.GetRequiredService<IOptions<WeChatPayOptions>>().Value))
            .SelectPipelineByAuthority();
        client.AddHttpMessageHandler<ResponseHandler>();
        client.AddHttpMessageHandler<RequestSigningHandler>();

        services.TryAddTransient<IWeChatPayClient>(provider => new WeChatPayClient(
            provider.GetRequiredService<IWeChatPayEndpoints>(),
            provider.GetRequiredService<PlatformCertificateDownloader>(),
            provider.GetRequiredService<MerchantSigner>(),
            provider.GetRequiredService<INonceSource>(),
            provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<IOptions<WeChatPayOptions>>()));
        return services;
    }
}
