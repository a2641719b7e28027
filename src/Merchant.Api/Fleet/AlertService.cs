using Merchant.Api.Payments;
using Merchant.Api.Persistence;
using Merchant.Api.Slots;
using Merchant.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Merchant.Api.Fleet;

/// <summary>
/// Open alerts: machines offline, slots in fault, low stock, trades needing a person, refunds the provider has not
/// confirmed in time. Each says since when and what to do. Computed from our tables (refreshed from the platform first
/// when asked), so they clear by themselves when the condition does.
/// </summary>
public sealed class AlertService(MerchantDbContext db, FleetService fleet, TimeProvider clock, IOptions<FleetOptions> options)
{
    public const string MachineOffline = "machine_offline";
    public const string SlotFault = "slot_fault";
    public const string LowStock = "low_stock";
    public const string NeedsAttention = "needs_attention";
    public const string RefundUnconfirmed = "refund_unconfirmed";

    public async Task<AlertList> ListAsync(bool refresh, CancellationToken cancellationToken)
    {
        var fresh = !refresh || await fleet.RefreshAsync(null, cancellationToken);
        var now = clock.GetUtcNow();
        var threshold = options.Value.LowStockThreshold;
        var items = new List<AlertView>();

        var offline = await db.Set<MachineState>().AsNoTracking().Where(m => !m.Online).OrderBy(m => m.MachineNo).ToListAsync(cancellationToken);
        items.AddRange(offline.Select(m => new AlertView(MachineOffline, m.MachineNo, m.OfflineSince ?? m.SeenAt,
            $"{m.Name} is offline: its products cannot be bought and nothing dispenses.",
            "Check the machine's power and network. Paid lines wait and are sent once it is back (or refunded after Dispense:SendDeadline).")));

        var faulted = await db.Set<SlotState>().AsNoTracking().Where(s => s.FaultSince != null).OrderBy(s => s.FaultSince).ToListAsync(cancellationToken);
        items.AddRange(faulted.Select(s => new AlertView(SlotFault, s.MachineNo, s.FaultSince!.Value,
            $"Slot {s.Slot ?? "?"} ({s.ProductName ?? $"product {s.ProductId}"}) is in fault: {s.FaultReason}."
                + (s.FailuresWhileFaulted > 0 ? $" {s.FailuresWhileFaulted} line(s) failed on it since." : "") + " It is not sold until cleared.",
            $"Mend the slot, then POST /api/v1/ops/machines/{s.MachineNo}/test_dispense {{\"slot\":\"{s.Slot}\"}} (a success clears it), "
                + $"or POST /api/v1/ops/machines/{s.MachineNo}/slots/{s.Slot}/clear.")
        {
            Slot = s.Slot,
            ProductId = s.ProductId,
        }));

        var low = await db.Set<SlotState>().AsNoTracking().Where(s => s.Stock != null && s.Stock <= threshold)
            .OrderBy(s => s.MachineNo).ThenBy(s => s.Slot).ToListAsync(cancellationToken);
        items.AddRange(low.Select(s => new AlertView(LowStock, s.MachineNo, s.LowStockSince ?? s.StockSeenAt ?? now,
            $"Slot {s.Slot ?? "?"} ({s.ProductName ?? $"product {s.ProductId}"}) holds {s.Stock} of {s.Capacity}.",
            $"Restock: POST /api/v1/ops/machines/{s.MachineNo}/restock {{\"product_id\":{s.ProductId},\"stock\":{s.Capacity}}}.")
        {
            Slot = s.Slot,
            ProductId = s.ProductId,
        }));

        var attention = await db.Trades.AsNoTracking().Where(t => t.Status == TradeStatus.NeedsAttention).OrderBy(t => t.UpdatedAt)
            .Select(t => new { t.TradeId, t.MachineNo, t.Kind, t.UpdatedAt, t.StatusReason }).Take(200).ToListAsync(cancellationToken);
        items.AddRange(attention.Select(t => new AlertView(NeedsAttention, t.MachineNo, t.UpdatedAt,
            $"Trade {t.TradeId} needs a person: {t.StatusReason}.",
            t.Kind == TradeKind.Pickup
                ? $"Issue a replacement code: POST /api/v1/ops/trades/{t.TradeId}/replacement_code."
                : $"POST /api/v1/ops/trades/{t.TradeId}/reconcile; if the item did not come out, POST …/lines/{{line}}/refund.")
        {
            TradeId = t.TradeId,
        }));

        var before = now - options.Value.RefundUnconfirmedAfter;
        var refunds = await db.Refunds.AsNoTracking().Where(r => r.Status == Refund.Requested && r.RequestedAt < before)
            .Join(db.Trades, r => r.TradeId, t => t.TradeId, (r, t) => new { r.TradeId, r.LineId, t.MachineNo, r.RequestedAt, r.AmountFen })
            .OrderBy(r => r.RequestedAt).Take(200).ToListAsync(cancellationToken);
        items.AddRange(refunds.Select(r => new AlertView(RefundUnconfirmed, r.MachineNo, r.RequestedAt!.Value,
            $"The refund of {Hosting.Money.ToWire(r.AmountFen)} for trade {r.TradeId} line {r.LineId} is not confirmed by the provider.",
            $"Check it in the provider's merchant console; GET /api/v1/ops/trades/{r.TradeId} shows its timeline.")
        {
            TradeId = r.TradeId,
            LineId = r.LineId,
        }));

        return new AlertList(now, Count(items), items, Stale: !fresh);
    }

    /// <summary>Open alerts by kind from our tables alone (no platform call): for the ops summary and the gauges.</summary>
    public async Task<AlertCounts> CountsAsync(CancellationToken cancellationToken)
    {
        var before = clock.GetUtcNow() - options.Value.RefundUnconfirmedAfter;
        var threshold = options.Value.LowStockThreshold;
        return new AlertCounts(
            await db.Set<MachineState>().CountAsync(m => !m.Online, cancellationToken),
            await db.Set<SlotState>().CountAsync(s => s.FaultSince != null, cancellationToken),
            await db.Set<SlotState>().CountAsync(s => s.Stock != null && s.Stock <= threshold, cancellationToken),
            await db.Trades.CountAsync(t => t.Status == TradeStatus.NeedsAttention, cancellationToken),
            await db.Refunds.CountAsync(r => r.Status == Refund.Requested && r.RequestedAt < before, cancellationToken));
    }

    public static IReadOnlyDictionary<string, long> ByKind(AlertCounts counts) => new Dictionary<string, long>
    {
        [MachineOffline] = counts.MachineOffline,
        [SlotFault] = counts.SlotFault,
        [LowStock] = counts.LowStock,
        [NeedsAttention] = counts.NeedsAttention,
        [RefundUnconfirmed] = counts.RefundUnconfirmed,
    };

    private static AlertCounts Count(List<AlertView> items) => new(
        items.Count(a => a.Kind == MachineOffline),
        items.Count(a => a.Kind == SlotFault),
        items.Count(a => a.Kind == LowStock),
        items.Count(a => a.Kind == NeedsAttention),
        items.Count(a => a.Kind == RefundUnconfirmed));
}
