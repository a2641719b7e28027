using WeChatPay.Simulator.Tests.Infrastructure;

namespace WeChatPay.Simulator.Tests;

public sealed class BooksTests(SimFixture fixture) : IClassFixture<SimFixture>
{
    [Fact]
    public async Task Books_show_paid_refunded_and_net_per_trade_and_in_total()
    {
        var full = await fixture.PaidTradeAsync(total: 1000);
        var partial = await fixture.PaidTradeAsync(total: 800);
        var unpaid = SimFixture.NewTradeNo();
        await fixture.NativeAsync(unpaid, total: 500);
        await fixture.Control.RefundOutcomeAsync(new { outcome = "success", out_trade_no = full });
        await fixture.RefundAsync(full, full + "-1", 1000, total: 1000);
        await fixture.Control.RefundOutcomeAsync(new { outcome = "closed", out_refund_no = partial + "-1" });
        await fixture.Control.RefundOutcomeAsync(new { outcome = "processing", out_refund_no = partial + "-3" });
        await fixture.RefundAsync(partial, partial + "-1", 300, total: 800);
        await fixture.RefundAsync(partial, partial + "-2", 200, total: 800);
        await fixture.RefundAsync(partial, partial + "-3", 100, total: 800);

        await Wait.UntilAsync(async () => (await fixture.Control.BookAsync(partial)).GetProperty("refunded").GetInt64() == 200);

        var books = await fixture.Control.GetAsync("/_sim/books");
        var trades = books.GetProperty("trades").EnumerateArray().ToDictionary(t => t.GetProperty("out_trade_no").GetString()!);
        trades[full].GetProperty("net").GetInt64().ShouldBe(0);
        trades[full].GetProperty("trade_state").GetString().ShouldBe("REFUND");
        trades[partial].GetProperty("paid").GetInt64().ShouldBe(800);
        trades[partial].GetProperty("refunded").GetInt64().ShouldBe(200);
        trades[partial].GetProperty("refunding").GetInt64().ShouldBe(100);
        trades[partial].GetProperty("net").GetInt64().ShouldBe(600);
        trades[partial].GetProperty("refunds").EnumerateArray().Select(r => r.GetProperty("status").GetString())
            .ShouldBe(["CLOSED", "SUCCESS", "PROCESSING"]);
        trades[unpaid].GetProperty("paid").GetInt64().ShouldBe(0);
        trades[unpaid].GetProperty("payments").GetArrayLength().ShouldBe(0);
        var totals = books.GetProperty("totals");
        totals.GetProperty("paid").GetInt64().ShouldBe(1800);
        totals.GetProperty("refunded").GetInt64().ShouldBe(1200);
        totals.GetProperty("net").GetInt64().ShouldBe(600);
        totals.GetProperty("trades").GetInt32().ShouldBe(3);
    }
}
