using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Refit;

namespace Vending.Platform;

public static class PlatformServiceCollectionExtensions
{
    /// <summary>The name of the platform's HttpClient, for adding handlers of your own (they run per attempt, innermost).</summary>
    public const string HttpClientName = "Vending.Platform";

    public static IServiceCollection AddVendingPlatform(this IServiceCollection services, Action<PlatformOptions> configure)
    {
        services.AddOptions<PlatformOptions>().Configure(configure);
        return AddClient(services);
    }

    /// <summary>Binds <paramref name="section"/> (usually <c>Platform</c>, see <see cref="PlatformOptions.SectionName"/>).</summary>
    public static IServiceCollection AddVendingPlatform(this IServiceCollection services, IConfiguration section)
    {
        services.AddOptions<PlatformOptions>().Bind(section);
        return AddClient(services);
    }

    private static IServiceCollection AddClient(IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PlatformOptions>, PlatformOptionsValidator>());
        services.AddOptions<PlatformOptions>().ValidateOnStart();
        services.TryAddTransient<ResilienceOutcomeHandler>();
        services.TryAddTransient<EnvelopeHandler>();
        services.TryAddTransient<CredentialsHandler>();
        services.TryAddTransient<PayloadSigningHandler>();

        // Refit 16.4's AddRefitClient needs Refit.Reflection, which our source does not serve; the source-generated client
        // is the same interface without runtime reflection (decision 0009).
        var client = services.AddRefitGeneratedClient<IPlatformEndpoints>(_ => new RefitSettings
            {
                ContentSerializer = new PlatformContentSerializer(),
                // The handlers already made every failure a PlatformException (or left the caller's cancellation alone).
                TransportExceptionFactory = (_, exception, _) => exception,
                DeserializationExceptionFactory = (response, exception) => ValueTask.FromResult<Exception?>(new PlatformException(
                    PlatformCall.Of(response.RequestMessage!).Name, PlatformErrorCategory.Unknown, 0,
                    "The platform said ok but its data is unreadable.", (int)response.StatusCode, outcomeUnknown: true, innerException: exception)),
            },
            HttpClientName)
            .ConfigureHttpClient((provider, http) =>
            {
                http.BaseAddress = new Uri(provider.GetRequiredService<IOptions<PlatformOptions>>().Value.BaseUrl.TrimEnd('/'), UriKind.Absolute);
                // The resilience pipeline times out each attempt and the whole call; HttpClient's 100 s default must not cut in first.
                http.Timeout = Timeout.InfiniteTimeSpan;
            });

        // Outermost first: what the pipeline decides (timeouts, open circuit) → the pipeline → per attempt: the envelope,
        // the credentials, the signature.
        client.AddHttpMessageHandler<ResilienceOutcomeHandler>();
        client.AddStandardResilienceHandler()
            .Configure((resilience, provider) => PlatformResilience.Configure(resilience, provider.GetRequiredService<IOptions<PlatformOptions>>().Value))
            .SelectPipelineByAuthority();
        client.AddHttpMessageHandler<EnvelopeHandler>();
        client.AddHttpMessageHandler<CredentialsHandler>();
        client.AddHttpMessageHandler<PayloadSigningHandler>();

        services.TryAddTransient<IPlatformApi>(provider => new PlatformApiClient(provider.GetRequiredService<IPlatformEndpoints>()));
        return services;
    }
}
