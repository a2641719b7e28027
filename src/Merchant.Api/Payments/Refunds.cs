using Merchant.Api.Jobs;
using Merchant.Api.Persistence;
using Merchant.Domain;

namespace Merchant.Api.Payments;

public static class Refunds
{
    /// <summary>A refund may keep trying this long before a person is asked to look.</summary>
    public static readonly TimeSpan Deadline = TimeSpan.FromHours(24);

    /// <summary>
    /// Decides to refund a line: the refund row (keyed trade + line, so it exists once) and its job,
    /// in the caller's transaction. Deciding twice is harmless.
    /// </summary>
    public static void Request(MerchantDbContext db, Trade trade, TradeLine line, string reason, DateTimeOffset now)
    {
        var key = Refund.KeyFor(trade.TradeId, line.LineId);
        if (db.Refunds.Local.Any(r => r.RefundKey == key) || db.Refunds.Find(key) is not null)
        {
            return;
        }

        db.Refunds.Add(new Refund
        {
            RefundKey = key,
            TradeId = trade.TradeId,
            LineId = line.LineId,
            AmountFen = line.PriceFen,
            Reason = reason,
            Status = Refund.Pending,
            CreatedAt = now,
        });
        db.Enqueue(JobKinds.Refund, now, Deadline, trade.TradeId, line.LineId, dedupeKey: $"refund:{key}");
    }

    /// <summary>Decides to give back a whole payment that matched no line (a mismatched amount): line <see cref="Refund.WholePayment"/>.</summary>
    public static void RequestWhole(MerchantDbContext db, string tradeId, long amountFen, string reason, DateTimeOffset now)
    {
        var key = Refund.KeyFor(tradeId, Refund.WholePayment);
        if (db.Refunds.Local.Any(r => r.RefundKey == key) || db.Refunds.Find(key) is not null)
        {
            return;
        }

        db.Refunds.Add(new Refund
        {
            RefundKey = key,
            TradeId = tradeId,
            LineId = Refund.WholePayment,
            AmountFen = amountFen,
            Reason = reason,
            Status = Refund.Pending,
            CreatedAt = now,
        });
        db.Enqueue(JobKinds.Refund, now, Deadline, tradeId, Refund.WholePayment, dedupeKey: $"refund:{key}");
    }
}
