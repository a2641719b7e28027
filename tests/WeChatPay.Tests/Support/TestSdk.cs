using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace WeChatPay.Tests.Support;

/// <summary>The SDK as an application gets it (DI, Refit, handlers, resilience), with a stub as the network and the vectors' identity.</summary>
internal sealed class TestSdk
{
    public const string BaseUrl = "https://api.mch.test";
    public const string MchId = "1230000109";
    public const string AppId = "wxd678efh567hg6787";
    public const string ApiV3Key = "Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z";
    public const string CertificateSerial = "5157F09EFDC096DE15EBE81A47057A7232F1B8E1";
    public const string PublicKeyId = "PUB_KEY_ID_0112300001092026112200000000000001";
    public const string NotifyUrl = "https://merchant.example.com/api/v1/payments/wechatpay/notify";
    public const long VectorTime = 1763776096;

    private TestSdk(ServiceProvider services) => Services = services;

    public ServiceProvider Services { get; }

    public IWeChatPayClient Client => Services.GetRequiredService<IWeChatPayClient>();

    public WeChatPayNotifications Notifications => Services.GetRequiredService<WeChatPayNotifications>();

    public WeChatPaySignatureVerifier Verifier => Services.GetRequiredService<WeChatPaySignatureVerifier>();

    public static TestSdk Create(
        StubHandler handler,
        Action<WeChatPayOptions>? configure = null,
        TimeProvider? clock = null,
        INonceSource? nonces = null,
        ILoggerProvider? logs = null)
    {
        var services = new ServiceCollection()
            .AddLogging(builder =>
            {
                if (logs is not null)
                {
                    builder.AddProvider(logs).SetMinimumLevel(LogLevel.Trace);
                }
            })
            .AddSingleton(clock ?? ManualClock.AtVectorTime());
        if (nonces is not null)
        {
            services.AddSingleton(nonces);
        }

        services.AddWeChatPay(options => Configure(options, configure));
        services.AddHttpClient(WeChatPayServiceCollectionExtensions.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => handler);

        // Left for the collector: a client outlives no test, and disposing here would cut a call still running.
        return new TestSdk(services.BuildServiceProvider());
    }

    /// <summary>A client whose every call WeChat Pay answers with <paramref name="body"/>, signed at the vectors' time.</summary>
    public static (TestSdk Sdk, StubHandler Handler) AnsweringSigned(string body, HttpStatusCode status = HttpStatusCode.OK, Action<WeChatPayOptions>? configure = null)
    {
        var clock = ManualClock.AtVectorTime();
        var handler = StubHandler.Answering(_ => WeChatPayServer.Signed(clock, body, status));
        return (Create(handler, configure, clock), handler);
    }

    public static void Configure(WeChatPayOptions options, Action<WeChatPayOptions>? configure = null)
    {
        options.BaseUrl = BaseUrl;
        options.MchId = MchId;
        options.AppId = AppId;
        options.ApiV3Key = ApiV3Key;
        options.PrivateKeyPath = SharedPayments.MerchantPrivateKeyPath;
        options.CertificateSerial = CertificateSerial;
        options.PublicKeyId = PublicKeyId;
        options.PublicKeyPath = SharedPayments.WeChatPayPublicKeyPath;
        options.NotifyUrl = NotifyUrl;
        options.RetryBaseDelay = TimeSpan.FromMilliseconds(1);
        configure?.Invoke(options);
    }

    /// <summary>Platform certificate mode only: no public key configured.</summary>
    public static void CertificateMode(WeChatPayOptions options)
    {
        options.PublicKeyId = "";
        options.PublicKeyPath = "";
    }
}

/// <summary>Pins "now" until a test moves it; timers still run on the system clock.</summary>
internal sealed class ManualClock(DateTimeOffset now) : TimeProvider
{
    private long _ticks = now.UtcTicks;

    public static ManualClock AtVectorTime() => new(DateTimeOffset.FromUnixTimeSeconds(TestSdk.VectorTime));

    public static ManualClock AtUnixSeconds(long seconds) => new(DateTimeOffset.FromUnixTimeSeconds(seconds));

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

    public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
}

/// <summary>Hands out the given nonces in order, repeating the last.</summary>
internal sealed class FixedNonces(params string[] nonces) : INonceSource
{
    private int _next;

    public string Next() => nonces[Math.Min(Interlocked.Increment(ref _next) - 1, nonces.Length - 1)];
}
