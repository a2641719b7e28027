using Merchant.Api.Catalog;
using Merchant.Api.Errors;
using Merchant.Api.Hosting;
using Merchant.Api.Jobs;
using Merchant.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Merchant.Api.Trades;

public sealed class TradeService(TradeStore trades, CatalogService catalog, TimeProvider clock)
{
    /// <summary>How long the provider's close may keep failing before the platform order is closed without it.</summary>
    public static readonly TimeSpan ClosePaymentDeadline = TimeSpan.FromMinutes(1);

    public async Task<TradeResponse> GetAsync(string tradeId, CancellationToken cancellationToken)
    {
        var trade = await trades.FindAsync(tradeId, cancellationToken) ?? throw ApiProblem.NotFound($"Trade {tradeId}");
        var payment = await trades.Db.Payments.AsNoTracking().SingleOrDefaultAsync(p => p.TradeId == tradeId, cancellationToken);
        return trade.ToResponse(payment);
    }

    /// <summary>Cancels before payment (DESIGN §2 rule 3): close the platform order and the payment; 409 once paid.</summary>
    public async Task<TradeResponse> CancelAsync(string tradeId, string actor, CancellationToken cancellationToken)
    {
        var trade = await trades.ChangeAsync(tradeId, actor, trade => CloseUnpaid(trade, expire: false), cancellationToken)
            ?? throw ApiProblem.NotFound($"Trade {tradeId}");
        catalog.Invalidate(trade.MachineNo);
        return await GetAsync(tradeId, cancellationToken);
    }

    /// <summary>Cancel or expire, and the job that closes the provider's payment and then the platform order (WECHATPAY §6.4).</summary>
    public void CloseUnpaid(Trade trade, bool expire)
    {
        var now = clock.GetUtcNow();
        var before = trade.Status;
        if (expire)
        {
            trade.Expire(now);
        }
        else
        {
            trade.Cancel(now);
        }

        if (before != trade.Status)
        {
            // Closed at the provider first: once the platform order is gone, nobody may still be able to pay.
            trades.Db.Enqueue(JobKinds.ClosePayment, now, ClosePaymentDeadline, trade.TradeId, dedupeKey: $"close-payment:{trade.TradeId}");
        }
    }
}
