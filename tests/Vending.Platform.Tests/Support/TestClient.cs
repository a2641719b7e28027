using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Vending.Platform.Tests.Support;

internal static class TestClient
{
    public const string BaseUrl = "http://platform.test";
    public const string AppId = "merchant-42";
    public const string AppSecret = "AppSecret-7f3c9e1d-never-log-me";
    public const string DemoAppKey = "kva";

    public static PlatformOptions Options(Action<PlatformOptions>? configure = null)
    {
        var options = new PlatformOptions
        {
            BaseUrl = BaseUrl,
            AppId = AppId,
            AppSecret = AppSecret,
            AppKey = DemoAppKey,
            RetryBaseDelay = TimeSpan.FromMilliseconds(1),
        };
        configure?.Invoke(options);
        return options;
    }

    public static PlatformApiClient Create(
        StubHandler handler,
        Action<PlatformOptions>? configure = null,
        TimeProvider? time = null,
        ILogger<PlatformApiClient>? logger = null) =>
        new(
            new HttpClient(handler),
            Microsoft.Extensions.Options.Options.Create(Options(configure)),
            time ?? TimeProvider.System,
            logger ?? NullLogger<PlatformApiClient>.Instance);
}

/// <summary>Pins "now" for timestamps; timers still run on the system clock.</summary>
internal sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    public static FixedClock AtUnixSeconds(long seconds) => new(DateTimeOffset.FromUnixTimeSeconds(seconds));

    public override DateTimeOffset GetUtcNow() => now;
}
