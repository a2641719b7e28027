using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using WeChatPay.Simulator;
using WeChatPay.Simulator.Control;

namespace Merchant.Testing;

/// <summary>
/// The WeChat Pay simulator on a loopback port, set up for the TEST-ONLY merchant keys in <c>../shared/payments/test-keys</c>,
/// with the settings that point the API at it and typed access to its /_sim control API.
/// </summary>
public sealed class WeChatPayHost : IAsyncDisposable
{
    public const string MchId = "1230000109";
    public const string AppId = "wxd678efh567hg6787";
    public const string ApiV3Key = "Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z";
    public const string MerchantCertificateSerial = "5157F09EFDC096DE15EBE81A47057A7232F1B8E1";

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private readonly WebApplication _app;
    private readonly string _publicKeyPath;

    private WeChatPayHost(WebApplication app, string baseUrl, KeysView keys, string publicKeyPath)
    {
        _app = app;
        BaseUrl = baseUrl;
        Keys = keys;
        _publicKeyPath = publicKeyPath;
        Control = new HttpClient { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromSeconds(30) };
    }

    public string BaseUrl { get; }

    public KeysView Keys { get; }

    public HttpClient Control { get; }

    public static async Task<WeChatPayHost> StartAsync(Action<WeChatPaySimOptions>? configure = null)
    {
        var app = WeChatPaySimApp.Build(["--urls", "http://127.0.0.1:0", "--Logging:LogLevel:Default=Warning"], options =>
        {
            options.MchId = MchId;
            options.AppId = AppId;
            options.ApiV3Key = ApiV3Key;
            options.MerchantCertificateSerial = MerchantCertificateSerial;
            options.MerchantPublicKeyPath = TestKeys.Path("merchant_public.pem");
            // WeChat's retry schedule (15 s … 6 h) compressed a hundredfold; refunds settle within a second.
            options.NotifyRetryFactor = 100;
            options.RefundDelay = TimeSpan.FromMilliseconds(300);
            options.HangTimeout = TimeSpan.FromSeconds(10);
            configure?.Invoke(options);
        });
        await app.StartAsync();
        var baseUrl = app.Urls.First().TrimEnd('/');
        using var http = new HttpClient { BaseAddress = new Uri(baseUrl) };
        var keys = (await http.GetFromJsonAsync<KeysView>("/_sim/keys", Json))!;
        var publicKeyPath = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"wechatpay-sim-{Guid.NewGuid():N}.pem");
        await File.WriteAllTextAsync(publicKeyPath, keys.PublicKeyPem);
        return new WeChatPayHost(app, baseUrl, keys, publicKeyPath);
    }

    /// <summary>What the API needs to take payments through this simulator (public key mode).</summary>
    public Dictionary<string, string?> ApiSettings() => new()
    {
        ["Payments:Provider"] = "WeChatPay",
        ["Payments:WeChatPay:BaseUrl"] = BaseUrl,
        ["Payments:WeChatPay:MchId"] = MchId,
        ["Payments:WeChatPay:AppId"] = AppId,
        ["Payments:WeChatPay:ApiV3Key"] = ApiV3Key,
        ["Payments:WeChatPay:PrivateKeyPath"] = TestKeys.Path("merchant_private.pem"),
        ["Payments:WeChatPay:CertificateSerial"] = MerchantCertificateSerial,
        ["Payments:WeChatPay:PublicKeyId"] = Keys.PublicKeyId,
        ["Payments:WeChatPay:PublicKeyPath"] = _publicKeyPath,
        ["Payments:WeChatPay:Timeout"] = "00:00:02",
        ["Payments:WeChatPay:RetryBaseDelay"] = "00:00:00.050",
        ["Payments:QueryFirstAfter"] = "00:00:01",
    };

    /// <summary>Plays the customer paying (optionally another amount than asked, to produce a mismatch).</summary>
    public Task PayAsync(string outTradeNo, long? amount = null, string? openid = null) =>
        PostAsync($"/_sim/transactions/{outTradeNo}/pay", new PayRequest(amount, openid, null));

    public async Task<TransactionView> TransactionAsync(string outTradeNo) =>
        (await Control.GetFromJsonAsync<TransactionView>($"/_sim/transactions/{outTradeNo}", Json))!;

    public async Task<TradeBookView> BooksAsync(string outTradeNo) =>
        (await Control.GetFromJsonAsync<TradeBookView>($"/_sim/books/{outTradeNo}", Json))!;

    public async Task<BooksView> AllBooksAsync() => (await Control.GetFromJsonAsync<BooksView>("/_sim/books", Json))!;

    /// <summary>A fault on one WeChat endpoint (<c>transactions.native</c>, <c>.jsapi</c>, <c>.query</c>, <c>.close</c>, <c>refunds.create</c>, <c>refunds.query</c>).</summary>
    public Task EndpointFaultAsync(string endpoint, string mode, int count = 1, string? outTradeNo = null) =>
        PostAsync("/_sim/endpoint-faults", new EndpointFaultRequest(endpoint, outTradeNo, mode, count, null, null, null, null));

    public Task NotificationFaultAsync(string mode, string outTradeNo, string? eventType = null, int count = 1, int? delayMs = null) =>
        PostAsync("/_sim/notification-faults", new NotificationFaultRequest(mode, outTradeNo, eventType, count, null, delayMs));

    /// <summary>How the next refund of a trade settles: <c>success</c>, <c>delayed_success</c>, <c>closed</c>, <c>abnormal</c>.</summary>
    public Task RefundOutcomeAsync(string outcome, string outTradeNo) =>
        PostAsync("/_sim/refund-outcomes", new RefundOutcomeRequest(outcome, outTradeNo, null, 1, null, null));

    public Task ProbeAsync(string url) => PostAsync("/_sim/probes", new ProbeRequest(url, null));

    public async ValueTask DisposeAsync()
    {
        Control.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        File.Delete(_publicKeyPath);
    }

    private async Task PostAsync<T>(string path, T body)
    {
        using var response = await Control.PostAsJsonAsync(path, body, Json);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"WeChat Pay simulator control call failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }
}

/// <summary>The TEST-ONLY keys beside the clone (<c>../shared/payments/test-keys</c>); CI has <c>../shared</c> there too.</summary>
public static class TestKeys
{
    private static readonly Lazy<string> Directory = new(() =>
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(System.IO.Path.Combine(directory.FullName, "Merchant.sln")))
        {
            directory = directory.Parent;
        }

        return directory is null
            ? throw new InvalidOperationException("Merchant.sln not found above " + AppContext.BaseDirectory)
            : System.IO.Path.GetFullPath(System.IO.Path.Combine(directory.FullName, "..", "shared", "payments", "test-keys"));
    });

    public static string Path(string name) => System.IO.Path.Combine(Directory.Value, name);
}
