using Merchant.Api.Catalog;
using Merchant.Api.Errors;
using Merchant.Api.Hosting;
using Merchant.Api.Jobs;
using Merchant.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Merchant.Api.Trades;

public sealed class TradeService(TradeStore trades, CatalogService catalog, TimeProvider clock, IOptions<OrdersOptions> orders)
{
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

    /// <summary>Cancel or expire, and the jobs that tell the platform and the provider.</summary>
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
            var db = trades.Db;
            db.Enqueue(JobKinds.CloseOrder, now, orders.Value.PlatformOrderLifetime, trade.TradeId, dedupeKey: $"close:{trade.TradeId}");
            db.Enqueue(JobKinds.ClosePayment, now, TimeSpan.FromHours(1), trade.TradeId, dedupeKey: $"close-payment:{trade.TradeId}");
        }
    }
}
