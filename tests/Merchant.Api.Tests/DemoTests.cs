using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Merchant.Api.Demo;
using Merchant.Testing;

namespace Merchant.Api.Tests;

/// <summary>
/// The storefront demo's own endpoints (decision 0020): QR codes of WeChat Pay code_urls, and "Scan and pay (simulator)",
/// which asks the WeChat Pay simulator to play the customer; the trade then moves only by WeChat Pay's notification.
/// </summary>
public sealed class DemoTests : IAsyncLifetime
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(40);
    private WeChatPayHost _wechat = null!;
    private Stack _stack = null!;

    public async Task InitializeAsync()
    {
        _wechat = await WeChatPayHost.StartAsync();
        var settings = _wechat.ApiSettings();
        settings["Demo:Enabled"] = "true";
        settings["Demo:StorefrontKey"] = MerchantHost.StorefrontKey;
        settings["Demo:WeChatPaySimulatorUrl"] = _wechat.BaseUrl;
        _stack = await Stack.StartAsync(settings);
    }

    public async Task DisposeAsync()
    {
        await _stack.DisposeAsync();
        await _wechat.DisposeAsync();
    }

    [Fact]
    public async Task The_demo_draws_the_qr_code_of_the_code_url_it_is_given_as_svg()
    {
        const string CodeUrl = "weixin://wxpay/bizpayurl?pr=7q3xAb9Zk";
        using var anonymous = _stack.Api.Client(apiKey: null);

        var response = await anonymous.GetAsync("/demo/qr.svg?data=" + Uri.EscapeDataString(CodeUrl));
        var svg = await response.Content.ReadAsStringAsync();

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("image/svg+xml");
        svg.ShouldStartWith("<svg");
        svg.ShouldBe(DemoQrCode.Render(CodeUrl));
        svg.ShouldNotBe(DemoQrCode.Render(CodeUrl + "0"));
    }

    [Theory]
    [InlineData("https://example.com/pay")]
    [InlineData("")]
    [InlineData("WEIXIN://wxpay/bizpayurl?pr=7q3x")]
    [InlineData(null)]
    public async Task The_demo_draws_no_qr_code_but_for_a_weixin_url(string? data)
    {
        using var anonymous = _stack.Api.Client(apiKey: null);

        var response = await anonymous.GetAsync(data is null ? "/demo/qr.svg" : "/demo/qr.svg?data=" + Uri.EscapeDataString(data));

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await response.CodeAsync()).ShouldBe("validation_failed");
    }

    [Fact]
    public async Task The_demo_draws_no_qr_code_for_a_weixin_url_longer_than_the_bound()
    {
        using var anonymous = _stack.Api.Client(apiKey: null);
        var longest = DemoQrCode.Scheme + new string('a', DemoQrCode.MaxLength - DemoQrCode.Scheme.Length);

        var atTheBound = await anonymous.GetAsync("/demo/qr.svg?data=" + Uri.EscapeDataString(longest));
        var overTheBound = await anonymous.GetAsync("/demo/qr.svg?data=" + Uri.EscapeDataString(longest + "a"));

        atTheBound.StatusCode.ShouldBe(HttpStatusCode.OK);
        overTheBound.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task The_demo_page_is_told_that_the_simulator_can_play_the_customer()
    {
        using var anonymous = _stack.Api.Client(apiKey: null);

        var config = await anonymous.GetFromJsonAsync<JsonElement>("/demo/config.json");

        config.GetProperty("wechatpay_simulator").GetBoolean().ShouldBeTrue();
    }

    [Fact]
    public async Task Scan_and_pay_has_the_simulator_pay_the_trade_which_then_completes_on_wechat_pays_notification()
    {
        var machine = await _stack.Simulator.CreateMachineAsync(products: 1, price: "2.50");
        var trade = await _stack.CheckoutOkAsync(machine.MachineNo, (machine.Products[0].ProductId, 2));

        var response = await _stack.Api.Storefront.PostAsync($"/demo/wechatpay/trades/{trade.TradeId}/pay", content: null);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        var done = await _stack.WaitForAsync(trade.TradeId, Within, "completed");
        var books = await _wechat.BooksAsync(trade.TradeId);
        var detail = await _stack.DetailAsync(trade.TradeId);

        response.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        body.GetProperty("trade_id").GetString().ShouldBe(trade.TradeId);
        done.Payment!.Status.ShouldBe("succeeded");
        books.Paid.ShouldBe(500);
        detail.Timeline.ShouldContain(e => e.Kind == "payment" && e.Summary.Contains("notification: paid 5.00"));
    }

    [Fact]
    public async Task Scan_and_pay_of_a_trade_already_paid_is_a_conflict_and_takes_no_second_payment()
    {
        var machine = await _stack.Simulator.CreateMachineAsync(products: 1);
        var trade = await _stack.CheckoutOkAsync(machine.MachineNo, (machine.Products[0].ProductId, 1));
        await _wechat.PayAsync(trade.TradeId);

        var again = await _stack.Api.Storefront.PostAsync($"/demo/wechatpay/trades/{trade.TradeId}/pay", content: null);

        again.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await again.CodeAsync()).ShouldBe("not_payable");
        (await _wechat.BooksAsync(trade.TradeId)).Payments.Count.ShouldBe(1);
    }

    [Theory]
    [InlineData("T20990101000000000001")]
    [InlineData("no")]
    [InlineData("..%2F..%2Freset")]
    public async Task Scan_and_pay_of_a_trade_wechat_pay_does_not_know_is_not_found(string tradeId)
    {
        var response = await _stack.Api.Storefront.PostAsync($"/demo/wechatpay/trades/{tradeId}/pay", content: null);

        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await response.CodeAsync()).ShouldBe("not_found");
    }

    [Fact]
    public async Task Scan_and_pay_needs_a_storefront_key()
    {
        var machine = await _stack.Simulator.CreateMachineAsync(products: 1);
        var trade = await _stack.CheckoutOkAsync(machine.MachineNo, (machine.Products[0].ProductId, 1));
        using var anonymous = _stack.Api.Client(apiKey: null);

        var response = await anonymous.PostAsync($"/demo/wechatpay/trades/{trade.TradeId}/pay", content: null);

        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await _wechat.TransactionAsync(trade.TradeId)).TradeState.ShouldBe("NOTPAY");
    }
}

/// <summary>Without a simulator URL, or without the demo, none of the demo's payment helpers exist.</summary>
public sealed class DemoWithoutSimulatorTests : IAsyncLifetime
{
    private Stack _demo = null!;
    private Stack _noDemo = null!;

    public async Task InitializeAsync()
    {
        _demo = await Stack.StartAsync(new Dictionary<string, string?>
        {
            ["Demo:Enabled"] = "true",
            ["Demo:StorefrontKey"] = MerchantHost.StorefrontKey,
        });
        _noDemo = await Stack.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _demo.DisposeAsync();
        await _noDemo.DisposeAsync();
    }

    [Fact]
    public async Task A_demo_without_a_simulator_url_offers_no_scan_and_pay_and_keeps_the_sandbox()
    {
        var machine = await _demo.Simulator.CreateMachineAsync(products: 1);
        var trade = await _demo.CheckoutOkAsync(machine.MachineNo, (machine.Products[0].ProductId, 1));
        using var anonymous = _demo.Api.Client(apiKey: null);

        var config = await anonymous.GetFromJsonAsync<JsonElement>("/demo/config.json");
        var scanAndPay = await _demo.Api.Storefront.PostAsync($"/demo/wechatpay/trades/{trade.TradeId}/pay", content: null);
        await _demo.PayAsync(trade.TradeId);

        config.GetProperty("wechatpay_simulator").GetBoolean().ShouldBeFalse();
        scanAndPay.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        trade.Payment!.Action!.Type.ShouldBe("sandbox");
        (await _demo.WaitForAsync(trade.TradeId, TimeSpan.FromSeconds(40), "completed")).Status.ShouldBe("completed");
    }

    [Fact]
    public async Task Without_the_demo_there_are_no_qr_codes_and_no_scan_and_pay()
    {
        using var anonymous = _noDemo.Api.Client(apiKey: null);

        var qr = await anonymous.GetAsync("/demo/qr.svg?data=" + Uri.EscapeDataString("weixin://wxpay/bizpayurl?pr=7q3x"));
        var scanAndPay = await _noDemo.Api.Storefront.PostAsync("/demo/wechatpay/trades/T20990101000000000001/pay", content: null);

        qr.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        scanAndPay.StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }
}

internal static class ProblemResponses
{
    public static async Task<string?> CodeAsync(this HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString();
}
