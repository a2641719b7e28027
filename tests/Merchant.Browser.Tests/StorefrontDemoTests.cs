using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Merchant.Browser.Tests;

/// <summary>The storefront demo with sandbox payments: the customer's purchase, jams and refunds, problems, and the API docs.</summary>
public sealed partial class StorefrontDemoTests(Chromium chromium, ITestOutputHelper output) : DemoPageTests(chromium, output)
{
    private const string SeededOfflineMachine = "16327133";

    protected override Task<DemoStack> StartStackAsync() => DemoStack.StartAsync();

    [Fact]
    public async Task A_customer_buys_two_items_pays_and_watches_every_line_dispense_until_the_trade_completes()
    {
        var machine = await Stack.CreateMachineAsync();
        var (cola, chips, cookies) = (machine.Products[0].ProductId, machine.Products[2].ProductId, machine.Products[3].ProductId);
        var page = await OpenDemoAsync();

        await Expect(page.GetByTestId($"machine-{machine.MachineNo}")).ToBeEnabledAsync();
        var offlineSelectable = await page.GetByTestId($"machine-{SeededOfflineMachine}").IsEnabledAsync();
        await SnapAsync(page, "01-machines");
        await page.GetByTestId($"machine-{machine.MachineNo}").ClickAsync();
        await page.GetByTestId($"add-{cola}").ClickAsync();
        await page.GetByTestId($"add-{chips}").ClickAsync();
        await Expect(page.GetByTestId($"qty-{chips}")).ToHaveTextAsync("1");
        var cartTotal = await page.GetByTestId("cart-total").TextContentAsync();
        var cookiesAddable = await page.GetByTestId($"add-{cookies}").IsEnabledAsync();
        await SnapAsync(page, "02-cart");
        await page.GetByTestId("checkout").ClickAsync();
        await Expect(page.GetByTestId("trade-status")).ToHaveAttributeAsync("data-status", "awaiting_payment");
        await Expect(page.GetByTestId("pay-countdown")).ToHaveTextAsync(CountdownPattern());
        var tradeId = (await page.GetByTestId("trade-id").TextContentAsync())!;
        var amountAtCheckout = await page.GetByTestId("trade-amount").TextContentAsync();
        await SnapAsync(page, "03-checkout", docsName: "demo-checkout.png");
        await page.GetByTestId("pay-success").ClickAsync();
        // One line settled while the next one is still in the machine: the page follows it live.
        await Expect(page.Locator("[data-testid=lines] > .s-dispensed + .s-dispensing")).ToBeVisibleAsync();
        await SnapAsync(page, "04-dispensing", docsName: "demo-dispensing.png");
        await Expect(page.GetByTestId("trade-status")).ToHaveAttributeAsync("data-status", "completed");
        await SnapAsync(page, "05-completed");
        var trade = await TradeAsync(tradeId);

        offlineSelectable.ShouldBeFalse();
        cartTotal.ShouldBe("¥8.50");
        cookiesAddable.ShouldBeFalse();
        amountAtCheckout.ShouldBe("¥8.50");
        await Expect(page.Locator("[data-testid=lines] > li")).ToHaveCountAsync(2);
        await Expect(page.Locator("[data-testid=lines] > li:not([data-status=dispensed])")).ToHaveCountAsync(0);
        await Expect(page.GetByTestId("progress-text")).ToHaveTextAsync("2 of 2 dispensed");
        await Expect(page.GetByTestId("pay-box")).ToBeHiddenAsync();
        await Expect(page.GetByTestId("trade-refunded-box")).ToBeHiddenAsync();
        trade.GetProperty("status").GetString().ShouldBe("completed");
        trade.GetProperty("amount").GetString().ShouldBe("8.50");
        BrowserErrors.ShouldBeEmpty();
        ForeignRequests.ShouldBeEmpty();
    }

    [Fact]
    public async Task A_jammed_dispense_shows_that_line_refunded_with_its_reason_and_the_trade_partially_refunded()
    {
        var machine = await Stack.CreateMachineAsync();
        var water = machine.Products[1].ProductId;
        await Stack.Simulator.FailNextDispensesAsync(machine.MachineNo, 1, reason: "Goods are Stuck");
        var page = await OpenDemoAsync();

        await page.GetByTestId($"machine-{machine.MachineNo}").ClickAsync();
        await page.GetByTestId($"add-{water}").ClickAsync();
        await page.GetByTestId($"add-{water}").ClickAsync();
        await page.GetByTestId("checkout").ClickAsync();
        await Expect(page.GetByTestId("trade-status")).ToHaveAttributeAsync("data-status", "awaiting_payment");
        var tradeId = (await page.GetByTestId("trade-id").TextContentAsync())!;
        await page.GetByTestId("pay-success").ClickAsync();
        await Expect(page.GetByTestId("trade-status")).ToHaveAttributeAsync("data-status", "partially_refunded");
        await SnapAsync(page, "06-refund", docsName: "demo-refund.png");
        var trade = await TradeAsync(tradeId);

        var refunded = page.Locator("[data-testid=lines] > li[data-status=refunded]");
        await Expect(refunded).ToHaveCountAsync(1);
        await Expect(refunded.Locator(".line-reason")).ToHaveTextAsync("Goods are Stuck");
        await Expect(refunded.Locator(".line-status")).ToHaveTextAsync("Refunded");
        await Expect(page.Locator("[data-testid=lines] > li[data-status=dispensed]")).ToHaveCountAsync(1);
        await Expect(page.GetByTestId("trade-amount")).ToHaveTextAsync("¥4.00");
        await Expect(page.GetByTestId("trade-refunded")).ToHaveTextAsync("¥2.00");
        await Expect(page.GetByTestId("done-text")).ToContainTextAsync("refunded");
        trade.GetProperty("status").GetString().ShouldBe("partially_refunded");
        trade.GetProperty("refunded_amount").GetString().ShouldBe("2.00");
        BrowserErrors.ShouldBeEmpty();
        ForeignRequests.ShouldBeEmpty();
    }

    [Fact]
    public async Task A_failed_payment_leaves_the_order_open_until_the_customer_cancels_it()
    {
        var machine = await Stack.CreateMachineAsync();
        var cola = machine.Products[0].ProductId;
        var page = await OpenDemoAsync();
        await page.GetByTestId($"machine-{machine.MachineNo}").ClickAsync();
        await page.GetByTestId($"add-{cola}").ClickAsync();
        await page.GetByTestId("checkout").ClickAsync();
        await Expect(page.GetByTestId("trade-status")).ToHaveAttributeAsync("data-status", "awaiting_payment");
        var tradeId = (await page.GetByTestId("trade-id").TextContentAsync())!;

        await page.GetByTestId("pay-fail").ClickAsync();
        await Expect(page.GetByTestId("payment-note")).ToContainTextAsync("The payment failed");
        var statusAfterFailedPayment = await page.GetByTestId("trade-status").GetAttributeAsync("data-status");
        await page.GetByTestId("cancel").ClickAsync();
        await Expect(page.GetByTestId("trade-status")).ToHaveAttributeAsync("data-status", "cancelled");
        var trade = await TradeAsync(tradeId);

        statusAfterFailedPayment.ShouldBe("awaiting_payment");
        trade.GetProperty("status").GetString().ShouldBe("cancelled");
        await Expect(page.GetByTestId("pay-box")).ToBeHiddenAsync();
        await Expect(page.GetByTestId("done-text")).ToContainTextAsync("cancelled");
        BrowserErrors.ShouldBeEmpty();
        ForeignRequests.ShouldBeEmpty();
    }

    [Fact]
    public async Task A_refused_checkout_shows_the_problem_title_and_code()
    {
        var machine = await Stack.CreateMachineAsync();
        var cola = machine.Products[0].ProductId;
        var page = await OpenDemoAsync();
        await page.GetByTestId($"machine-{machine.MachineNo}").ClickAsync();
        await page.GetByTestId($"add-{cola}").ClickAsync();
        await Stack.Simulator.SetOnlineAsync(machine.MachineNo, false);

        await page.GetByTestId("checkout").ClickAsync();

        await Expect(page.GetByTestId("error")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("error-code")).ToContainTextAsync("machine_offline");
        await Expect(page.GetByTestId("error-title")).ToHaveTextAsync("The machine is offline; try again when it is back.");
        await Expect(page.GetByTestId("view-products")).ToBeVisibleAsync();
        await SnapAsync(page, "07-problem");
    }

    [Fact]
    public async Task Swagger_UI_lists_the_public_endpoints()
    {
        var page = Watch(await Chromium.DesktopAsync(Stack.Api.BaseUrl, DemoHost.OpsKey));

        await page.GotoAsync("/swagger/");
        await Expect(page.Locator(".opblock-summary-path[data-path='/api/v1/checkouts']")).ToBeVisibleAsync();
        await SnapAsync(page, "08-swagger-ui", fullPage: false, docsName: "swagger-ui.png");

        await Expect(page.Locator(".swagger-ui .info .title")).ToContainTextAsync("Merchant API");
        (await page.Locator(".opblock").CountAsync()).ShouldBeGreaterThan(10);
        ForeignRequests.ShouldBeEmpty();
    }

    [GeneratedRegex(@"^1[78]:[0-5]\d$")]
    private static partial Regex CountdownPattern();
}
