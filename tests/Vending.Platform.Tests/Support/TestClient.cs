using Microsoft.Extensions.DependencyInjection;

namespace Vending.Platform.Tests.Support;

internal static class TestClient
{
    public const string BaseUrl = "http://platform.test";
    public const string AppId = "merchant-42";
    public const string AppSecret = "AppSecret-7f3c9e1d-never-log-me";
    public const string DemoAppKey = "kva";

    public static PlatformOptions Options(Action<PlatformOptions>? configure = null)
    {
        var options = new PlatformOptions();
        Configure(options, configure);
        return options;
    }

    /// <summary>The SDK as an application gets it (DI, Refit, handlers, resilience), with <paramref name="handler"/> as the network.</summary>
    public static IPlatformApi Create(StubHandler handler, Action<PlatformOptions>? configure = null, TimeProvider? time = null)
    {
        var services = new ServiceCollection().AddLogging();
        if (time is not null)
        {
            services.AddSingleton(time);
        }

        services.AddVendingPlatform(options => Configure(options, configure));
        services.AddHttpClient(PlatformServiceCollectionExtensions.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => handler);

        // Left for the collector: a client outlives no test, and disposing here would cut a call still running.
        return services.BuildServiceProvider().GetRequiredService<IPlatformApi>();
    }

    private static void Configure(PlatformOptions options, Action<PlatformOptions>? configure)
    {
        options.BaseUrl = BaseUrl;
        options.AppId = AppId;
        options.AppSecret = AppSecret;
        options.AppKey = DemoAppKey;
        options.RetryBaseDelay = TimeSpan.FromMilliseconds(1);
        configure?.Invoke(options);
    }
}

/// <summary>Pins "now" for timestamps; timers still run on the system clock.</summary>
internal sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    public static FixedClock AtUnixSeconds(long seconds) => new(DateTimeOffset.FromUnixTimeSeconds(seconds));

    public override DateTimeOffset GetUtcNow() => now;
}
