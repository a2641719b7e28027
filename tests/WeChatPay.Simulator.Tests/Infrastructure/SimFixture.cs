using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;

namespace WeChatPay.Simulator.Tests.Infrastructure;

/// <summary>One simulator on a loopback port, set up for the shared test merchant, plus a notify listener; per test class.</summary>
public class SimFixture : IAsyncLifetime
{
    public const string ApiV3Key = "Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z";

    private WebApplication? _app;

    public string BaseUrl { get; private set; } = "";

    public WxClient Wx { get; private set; } = null!;

    public ControlClient Control { get; private set; } = null!;

    public NotifyListener Listener { get; } = new();

    public AnswerVerifier Verifier { get; private set; } = null!;

    public IServiceProvider Services => _app!.Services;

    public static string AddressOf(WebApplication app) =>
        app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>()
            .Addresses.First().TrimEnd('/');

    public static string NewTradeNo() =>
        "T" + DateTime.UtcNow.ToString("yyyyMMddHHmmssfff", CultureInfo.InvariantCulture)
        + Random.Shared.Next(10_000, 100_000).ToString(CultureInfo.InvariantCulture);

    public static string TimeExpire(TimeSpan fromNow) =>
        (DateTimeOffset.UtcNow + fromNow).ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);

    public async Task InitializeAsync()
    {
        await Listener.StartAsync();
        _app = WeChatPaySimApp.Build(["--urls", "http://127.0.0.1:0", "--Logging:LogLevel:Default=Warning"], options =>
        {
            options.MerchantPublicKeyPem = SharedFiles.Pem("merchant_public.pem");
            options.NotifyRetryFactor = 1000;
            options.RefundDelay = TimeSpan.FromMilliseconds(200);
            options.HangTimeout = TimeSpan.FromSeconds(3);
            Configure(options);
        });
        await _app.StartAsync();
        BaseUrl = AddressOf(_app);
        var http = new HttpClient { BaseAddress = new Uri(BaseUrl), Timeout = TimeSpan.FromSeconds(10) };
        Wx = new WxClient(http, SharedFiles.Key("merchant_private.pem"), WxClient.MchId, WxClient.Serial);
        Control = new ControlClient(http);
        Verifier = await AnswerVerifier.FromControlAsync(Control);
    }

    public async Task DisposeAsync()
    {
        Wx.Http.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        await Listener.DisposeAsync();
    }

    public object NativeOrder(string outTradeNo, long total = 1150, string? notifyKey = null, string? timeExpire = null) => new
    {
        appid = WxClient.AppId,
        mchid = WxClient.MchId,
        description = "Cola 330ml x2",
        out_trade_no = outTradeNo,
        time_expire = timeExpire ?? TimeExpire(TimeSpan.FromHours(2)),
        notify_url = Listener.UrlFor(notifyKey ?? outTradeNo),
        amount = new { total, currency = "CNY" },
    };

    public async Task<string> NativeAsync(string outTradeNo, long total = 1150, string? notifyKey = null)
    {
        var reply = await Wx.PostAsync("/v3/pay/transactions/native", NativeOrder(outTradeNo, total, notifyKey));
        reply.Status.ShouldBe(HttpStatusCode.OK, reply.Text);
        return reply.Field("code_url");
    }

    /// <summary>A Native order awaiting payment; its notifications go to the listener under its own number.</summary>
    public async Task<string> UnpaidTradeAsync(long total = 1150)
    {
        var outTradeNo = NewTradeNo();
        await NativeAsync(outTradeNo, total);
        return outTradeNo;
    }

    public async Task<string> PaidTradeAsync(long total = 1150)
    {
        var outTradeNo = await UnpaidTradeAsync(total);
        await Control.PayAsync(outTradeNo);
        return outTradeNo;
    }

    public Task<WxReply> RefundAsync(string outTradeNo, string outRefundNo, long refund, long total = 1150, string? notifyKey = null) =>
        Wx.PostAsync("/v3/refund/domestic/refunds", new
        {
            out_trade_no = outTradeNo,
            out_refund_no = outRefundNo,
            reason = "dispense failed",
            notify_url = Listener.UrlFor(notifyKey ?? outRefundNo),
            amount = new { refund, total, currency = "CNY" },
        });

    public Task<WxReply> QueryAsync(string outTradeNo) =>
        Wx.GetAsync($"/v3/pay/transactions/out-trade-no/{outTradeNo}?mchid={WxClient.MchId}");

    public Task<WxReply> CloseAsync(string outTradeNo) =>
        Wx.PostAsync($"/v3/pay/transactions/out-trade-no/{outTradeNo}/close", new { mchid = WxClient.MchId });

    protected virtual void Configure(WeChatPaySimOptions options)
    {
    }
}

/// <summary>A simulator holding the vectors' WeChat Pay key and public key id, so its signatures can be compared with them.</summary>
public sealed class VectorKeyFixture : SimFixture
{
    protected override void Configure(WeChatPaySimOptions options)
    {
        options.PrivateKeyPath = SharedFiles.KeyPath("wechatpay_private.pem");
        options.PublicKeyId = SharedFiles.Vector("response", "serial");
    }
}
