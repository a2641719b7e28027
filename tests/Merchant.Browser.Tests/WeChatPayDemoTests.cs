using System.Net.Http.Json;
using Merchant.Api.Demo;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Merchant.Browser.Tests;

/// <summary>The storefront demo with WeChat Pay Native through its simulator, as <c>./run.sh --provider wechatpay</c> runs it.</summary>
public sealed class WeChatPayDemoTests(Chromium chromium, ITestOutputHelper output) : DemoPageTests(chromium, output)
{
    protected override Task<DemoStack> StartStackAsync() => DemoStack.StartWithWeChatPayAsync();

    [Fact]
    public async Task A_wechat_pay_customer_sees_the_qr_code_of_the_code_url_scans_it_in_the_simulator_and_watches_every_line_dispense()
    {
        var machine = await Stack.CreateMachineAsync();
        var (cola, chips) = (machine.Products[0].ProductId, machine.Products[2].ProductId);
        var page = await OpenDemoAsync();
        var tradeId = await CheckoutAsync(page, machine.MachineNo, cola, chips);

        var qr = page.GetByTestId("qr");
        await Expect(qr).ToBeVisibleAsync();
        await Expect(qr).ToHaveJSPropertyAsync("complete", true);
        var drawnWidth = await qr.EvaluateAsync<int>("img => img.naturalWidth");
        var shownCodeUrl = await qr.GetAttributeAsync("data-code-url");
        var qrSource = (await qr.GetAttributeAsync("src"))!;
        var sandboxButtonsShown = await page.GetByTestId("sandbox-buttons").IsVisibleAsync();
        await Expect(page.GetByTestId("scan-pay")).ToBeVisibleAsync();
        await SnapAsync(page, "09-wechatpay-qr", docsName: "demo-wechatpay-qr.png");
        var transaction = await Stack.WeChatPay.TransactionAsync(tradeId);
        var checkout = await TradeAsync(tradeId);
        using var anonymous = Stack.Api.Client(apiKey: null);
        using var picture = await anonymous.GetAsync("/demo/" + qrSource);
        var svg = await picture.Content.ReadAsStringAsync();
        await page.GetByTestId("scan-pay").ClickAsync();
        await Expect(page.Locator("[data-testid=lines] > .s-dispensed + .s-dispensing")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("trade-status")).ToHaveAttributeAsync("data-status", "completed");
        await SnapAsync(page, "10-wechatpay-completed");
        var books = await Stack.WeChatPay.BooksAsync(tradeId);

        checkout.GetProperty("payment").GetProperty("action").GetProperty("code_url").GetString().ShouldBe(transaction.CodeUrl);
        shownCodeUrl.ShouldBe(transaction.CodeUrl);
        transaction.CodeUrl.ShouldStartWith("weixin://");
        drawnWidth.ShouldBeGreaterThan(0);
        picture.Content.Headers.ContentType!.MediaType.ShouldBe("image/svg+xml");
        svg.ShouldBe(DemoQrCode.Render(transaction.CodeUrl!));
        sandboxButtonsShown.ShouldBeFalse();
        await Expect(page.Locator("[data-testid=lines] > li:not([data-status=dispensed])")).ToHaveCountAsync(0);
        await Expect(page.GetByTestId("pay-box")).ToBeHiddenAsync();
        (books.Paid, books.Refunded).ShouldBe((850L, 0L));
        BrowserErrors.ShouldBeEmpty();
        ForeignRequests.ShouldBeEmpty();
    }

    [Fact]
    public async Task A_jammed_line_paid_by_wechat_pay_shows_refunding_until_wechat_confirms_the_refund_then_refunded()
    {
        var machine = await Stack.CreateMachineAsync(resultDelayMs: 300);
        var water = machine.Products[1].ProductId;
        await Stack.Simulator.FailNextDispensesAsync(machine.MachineNo, 1, reason: "Goods are Stuck");
        var page = await OpenDemoAsync();
        var tradeId = await CheckoutAsync(page, machine.MachineNo, water, water);
        // WeChat keeps the refund PROCESSING until it is settled below, so the page must show the wait.
        await Stack.WeChatPay.RefundOutcomeAsync("processing", tradeId);

        await page.GetByTestId("scan-pay").ClickAsync();
        var refunding = page.Locator("[data-testid=lines] > li[data-status=refunding]");
        await Expect(refunding).ToHaveCountAsync(1);
        await Expect(refunding.Locator(".line-status")).ToHaveTextAsync("Refunding…");
        await Expect(page.GetByTestId("trade-status")).ToHaveAttributeAsync("data-status", "refunding");
        var refundedWhileRefunding = await page.GetByTestId("trade-refunded-box").IsVisibleAsync();
        await SnapAsync(page, "11-wechatpay-refunding");
        var lineId = (await refunding.GetAttributeAsync("data-testid"))!["line-".Length..];
        using var settle = await Stack.WeChatPay.Control.PostAsJsonAsync($"/_sim/refunds/{tradeId}-{lineId}/settle", new { status = "SUCCESS" });
        await Expect(page.GetByTestId("trade-status")).ToHaveAttributeAsync("data-status", "partially_refunded");
        var books = await Stack.WeChatPay.BooksAsync(tradeId);

        refundedWhileRefunding.ShouldBeFalse();
        settle.IsSuccessStatusCode.ShouldBeTrue();
        var refunded = page.Locator("[data-testid=lines] > li[data-status=refunded]");
        await Expect(refunded).ToHaveCountAsync(1);
        await Expect(refunded.Locator(".line-status")).ToHaveTextAsync("Refunded");
        await Expect(refunded.Locator(".line-reason")).ToHaveTextAsync("Goods are Stuck");
        await Expect(page.GetByTestId("trade-refunded")).ToHaveTextAsync("¥2.00");
        (books.Paid, books.Refunded, books.Refunding).ShouldBe((400L, 200L, 0L));
        BrowserErrors.ShouldBeEmpty();
        ForeignRequests.ShouldBeEmpty();
    }

    private static async Task<string> CheckoutAsync(IPage page, string machineNo, params long[] products)
    {
        await page.GetByTestId($"machine-{machineNo}").ClickAsync();
        foreach (var product in products)
        {
            await page.GetByTestId($"add-{product}").ClickAsync();
        }

        await page.GetByTestId("checkout").ClickAsync();
        await Expect(page.GetByTestId("trade-status")).ToHaveAttributeAsync("data-status", "awaiting_payment");
        return (await page.GetByTestId("trade-id").TextContentAsync())!;
    }
}
