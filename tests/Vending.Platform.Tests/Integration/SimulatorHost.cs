using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Vending.Platform.Simulator;

namespace Vending.Platform.Tests.Integration;

/// <summary>One simulator on a loopback port per test class, the real SDK client built through DI, and the /_sim control API.</summary>
public sealed class SimulatorHost : IAsyncLifetime
{
    public const string AppId = "it-app";
    public const string AppSecret = "it-secret";
    public const string AppKey = "it-key";

    public static readonly TimeSpan ClientTimeout = TimeSpan.FromSeconds(2);

    private readonly List<ServiceProvider> _providers = [];
    private WebApplication? _app;
    private HttpClient? _control;

    public string BaseUrl { get; private set; } = "";

    /// <summary>A notify_url that answers quickly (404 from the simulator itself); no test here needs the callbacks delivered.</summary>
    public string NotifyUrl => $"{BaseUrl}/merchant/notify";

    public IPlatformApi Platform { get; private set; } = null!;

    public SimControl Control { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _app = SimulatorApp.Build(
            ["--urls", "http://127.0.0.1:0", "--Logging:LogLevel:Default=Warning"],
            options =>
            {
                options.ResultDelay = TimeSpan.FromMilliseconds(100);
                options.AppId = AppId;
                options.AppSecret = AppSecret;
                options.AppKey = AppKey;
            });
        await _app.StartAsync();
        BaseUrl = _app.Urls.First().TrimEnd('/');
        _control = new HttpClient { BaseAddress = new Uri(BaseUrl), Timeout = TimeSpan.FromSeconds(10) };
        Control = new SimControl(_control, AppId, AppSecret);
        Platform = CreatePlatform();
    }

    /// <summary>Another SDK client against this simulator, e.g. with wrong credentials.</summary>
    public IPlatformApi CreatePlatform(Action<PlatformOptions>? adjust = null)
    {
        var provider = new ServiceCollection()
            .AddLogging()
            .AddVendingPlatform(options =>
            {
                options.BaseUrl = BaseUrl;
                options.AppId = AppId;
                options.AppSecret = AppSecret;
                options.AppKey = AppKey;
                options.Timeout = ClientTimeout;
                options.RetryBaseDelay = TimeSpan.FromMilliseconds(20);
                adjust?.Invoke(options);
            })
            .BuildServiceProvider();
        lock (_providers)
        {
            _providers.Add(provider);
        }

        return provider.GetRequiredService<IPlatformApi>();
    }

    public async Task DisposeAsync()
    {
        foreach (var provider in _providers)
        {
            await provider.DisposeAsync();
        }

        _control?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
