using Merchant.Api.Jobs;
using Merchant.Api.Persistence;
using Merchant.Domain;

namespace Merchant.Api.Payments;

public static class Refunds
{
    /// <summary>
    /// Decides to refund a line: the refund row (keyed trade + line, so it exists once) and its job, which keeps trying
    /// until <paramref name="deadline"/> (<c>Payments:RefundDeadline</c>) before a person is asked to look; in the caller's
    /// transaction. Deciding twice is harmless.
    /// </summary>
    public static void Request(MerchantDbContext db, Trade trade, TradeLine line, string reason, DateTimeOffset now, TimeSpan deadline)
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
        db.Enqueue(JobKinds.Refund, now, deadline, trade.TradeId, line.LineId, dedupeKey: $"refund:{key}");
    }

    /// <summary>
    /// Ops decided to refund a line whose refund did not succeed (refused, given up, never confirmed): asks again under the
    /// same key, so a refund the provider did take is still paid only once.
    /// </summary>
    public static void RequestAgain(MerchantDbContext db, Trade trade, TradeLine line, string reason, DateTimeOffset now, TimeSpan deadline)
    {
        var key = Refund.KeyFor(trade.TradeId, line.LineId);
        var refund = db.Refunds.Local.FirstOrDefault(r => r.RefundKey == key) ?? db.Refunds.Find(key);
        if (refund is null)
        {
            Request(db, trade, line, reason, now, deadline);
            return;
        }

        if (refund.Status == Refund.Succeeded)
        {
            return;
        }

        refund.Status = Refund.Pending;
        refund.CompletedAt = null;
        refund.Detail = null;
        if (!db.Jobs.Any(j => j.DedupeKey == $"refund:{key}" && j.Status == Job.Pending))
        {
            db.Enqueue(JobKinds.Refund, now, deadline, trade.TradeId, line.LineId, dedupeKey: $"refund:{key}");
        }
    }

    /// <summary>Decides to give back a whole payment that matched no line (a mismatched amount): line <see cref="Refund.WholePayment"/>.</summary>
    public static void RequestWhole(MerchantDbContext db, string tradeId, long amountFen, string reason, DateTimeOffset now, TimeSpan deadline)
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
        db.Enqueue(JobKinds.Refund, now, deadline, tradeId, Refund.WholePayment, dedupeKey: $"refund:{key}");
    }
}
