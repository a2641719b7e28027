using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Vending.Platform;

public static class PlatformServiceCollectionExtensions
{
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

        // PlatformApiClient enforces its own per-attempt timeout; HttpClient's 100 s default must not cut in first.
        services.AddHttpClient<IPlatformApi, PlatformApiClient>(client => client.Timeout = Timeout.InfiniteTimeSpan);
        return services;
    }
}
