using Merchant.Api.Trades;
using Merchant.Reliability.Tests.Infrastructure;
using Merchant.Testing;

namespace Merchant.Reliability.Tests.Faults;

/// <summary>
/// Step "refund" through WeChat Pay: purchases paid at the WeChat Pay simulator, with failed lines whose refunds WeChat
/// pays at once, pays late, closes, or takes while the answer is lost, and a payment of another amount. The checker holds
/// WeChat's own books (GET /_sim/books) against what the platform dispensed: money kept = value dispensed, per trade.
/// </summary>
[Collection("faults-b")]
public sealed class WeChatPayBooksTests : IAsyncLifetime
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(45);
    private WeChatPayHost _wechat = null!;
    private Rig _rig = null!;

    public async Task InitializeAsync()
    {
        _wechat = await WeChatPayHost.StartAsync();
        _rig = await Rig.StartAsync(_wechat.ApiSettings(), databasePrefix: "f_wechat");
        _rig.ProviderBooks = new WeChatPayBooks(_wechat);
    }

    public async Task DisposeAsync()
    {
        await _rig.DisposeAsync();
        await _wechat.DisposeAsync();
    }

    [Fact]
    public async Task The_money_wechat_keeps_is_the_value_dispensed_trade_by_trade()
    {
        var purchases = await Task.WhenAll(
            BuyAsync(failing: 0, "completed"),
            BuyAsync(failing: 1, "partially_refunded", trade => _wechat.RefundOutcomeAsync("success", trade)),
            BuyAsync(failing: 1, "partially_refunded", trade => _wechat.RefundOutcomeAsync("delayed_success", trade)),
            BuyAsync(failing: 2, "refunded", trade => _wechat.EndpointFaultAsync("refunds.create", "error500_after", count: 1, outTradeNo: trade)),
            BuyAsync(failing: 1, "needs_attention", trade => _wechat.RefundOutcomeAsync("closed", trade)),
            BuyAsync(failing: 0, "needs_attention", paid: 1));
        var (completed, refunded, late, answerLost, closed, mismatched) =
            (purchases[0], purchases[1], purchases[2], purchases[3], purchases[4], purchases[5]);
        Figures.Fault("wechatpay.refund.success");
        Figures.Fault("wechatpay.refund.delayed_success");
        Figures.Fault("wechatpay.refunds_create.error500_after");
        Figures.Fault("wechatpay.refund.closed");
        Figures.Fault("wechatpay.pay.other_amount");

        var report = await _rig.VerifyAsync(nameof(The_money_wechat_keeps_is_the_value_dispensed_trade_by_trade));
        var books = (await _wechat.AllBooksAsync()).Trades.ToDictionary(t => t.OutTradeNo);
        // The same run held against books that are not WeChat's (the sandbox's, which took none of this money).
        var againstOtherBooks = await new InvariantChecker(_rig.ConnectionString, _rig.Simulator.Control).CheckAsync();

        report.Commands.ShouldBe(10);
        (books[completed.TradeId].Paid, books[completed.TradeId].Refunded).ShouldBe((300L, 0L));
        (books[refunded.TradeId].Paid, books[refunded.TradeId].Refunded).ShouldBe((300L, 150L));
        (books[late.TradeId].Paid, books[late.TradeId].Refunded).ShouldBe((300L, 150L));
        (books[answerLost.TradeId].Paid, books[answerLost.TradeId].Refunded).ShouldBe((300L, 300L));
        books[answerLost.TradeId].Refunds.Count.ShouldBe(2);
        (books[closed.TradeId].Paid, books[closed.TradeId].Refunded).ShouldBe((300L, 0L));
        (books[mismatched.TradeId].Paid, books[mismatched.TradeId].Refunded).ShouldBe((1L, 1L));
        report.Escalated.ShouldContain(e => e.StartsWith($"trade {closed.TradeId} ", StringComparison.Ordinal));
        report.Escalated.ShouldContain(e => e.StartsWith($"trade {mismatched.TradeId} ", StringComparison.Ordinal));
        againstOtherBooks.Violations.ShouldContain(v => v.Rule == "provider_kept_less_than_dispensed" && v.Subject == $"trade {completed.TradeId}");
        againstOtherBooks.Violations.ShouldContain(v => v.Rule == "failed_item_not_refunded_once" && v.Subject.StartsWith($"trade {refunded.TradeId} ", StringComparison.Ordinal));
    }

    /// <summary>A two-line purchase (1.50 each) on a machine of its own whose next <paramref name="failing"/> dispenses fail.</summary>
    private async Task<TradeResponse> BuyAsync(int failing, string settles, Func<string, Task>? arrange = null, long? paid = null)
    {
        var machine = await _rig.Simulator.CreateMachineAsync(products: 2, price: "1.50");
        if (failing > 0)
        {
            await _rig.Simulator.FailNextDispensesAsync(machine.MachineNo, failing);
        }

        var trade = await _rig.Shop.CheckoutOkAsync(machine.MachineNo, (machine.Products[0].ProductId, 1), (machine.Products[1].ProductId, 1));
        if (arrange is not null)
        {
            await arrange(trade.TradeId);
        }

        await _wechat.PayAsync(trade.TradeId, amount: paid);
        return await _rig.Shop.WaitForAsync(trade.TradeId, Within, settles);
    }
}
