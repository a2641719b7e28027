using Merchant.Api.Errors;
using Merchant.Api.Persistence;
using Merchant.Api.Telemetry;
using Microsoft.EntityFrameworkCore;
using Vending.Platform;

namespace Merchant.Api.Slots;

/// <summary>Where a slot report came from: a customer's line, or an ops test dispense (which alone may clear a fault).</summary>
public enum SlotReportSource
{
    Line,
    TestDispense,
}

/// <summary>What recording a report found: nothing done (older than an ops clear), or the slot's health before it.</summary>
public enum SlotReportOutcome
{
    Stale,
    SlotWasHealthy,
    SlotWasInFault,
}

/// <summary>
/// What one dispense command told us of its slot. <paramref name="FloorStatus"/> is null when the result came without one
/// (a poll); <paramref name="CommandStartedAt"/> orders it against an ops clear made while the command ran.
/// </summary>
public sealed record SlotReport(int? FloorStatus, bool Delivered, string? Reason, DateTimeOffset CommandStartedAt, SlotReportSource Source);

/// <summary>
/// Slot health (DESIGN §2 rule 10): a slot the machines report in fault (floor_status ≠ 1) stops selling until ops clear
/// it — a successful test dispense, a restock that asks for it, or a clear by hand. Every change is one statement with
/// PostgreSQL deciding on the row (upserts, never read-then-write), so reports from several instances cannot interleave.
/// </summary>
public sealed partial class SlotHealth(MerchantDbContext db, TimeProvider clock, ILogger<SlotHealth> logger)
{
    /// <summary>
    /// Records a command's report on its slot, inside the caller's transaction when there is one. A report older than an
    /// ops clear changes nothing. A customer's line failing on a slot already known to be in fault is counted.
    /// </summary>
    public async Task<SlotReportOutcome> ReportAsync(string machineNo, long productId, SlotReport report, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var failed = !report.Delivered;
        var fault = failed && FloorStatuses.IsFault(report.FloorStatus);
        var clears = report.Delivered && report.Source == SlotReportSource.TestDispense;
        var faultReason = fault ? Describe(report.FloorStatus, report.Reason) : null;
        DateTimeOffset? faultSince = fault ? now : null;
        DateTimeOffset? failedAt = failed ? now : null;
        var missedAlert = failed && report.Source == SlotReportSource.Line;
        // An item came out: the slot works, whatever an omitted floor_status (read as 0) would say.
        var floor = report.Delivered && report.FloorStatus is null or 0 ? FloorStatuses.Normal : report.FloorStatus;
        // One statement decides and tells what it found: cleared_at is set only when a fault is ended, and a fault_since older
        // than this statement was there before it (a row locked and read in the same statement would not be seen).
        // A raw command on the caller's transaction: it runs on every first result of a line (decision 0026).
        await using var command = db.Command("""
            INSERT INTO slot_states AS s (machine_no, product_id, floor_status, fault_reason, fault_since, failures_while_faulted,
                last_failure_at, last_failure_reason, last_failure_floor_status, updated_at)
            VALUES ($1, $2, $3, $4, $5, 0, $6, $7, $8, $9)
            ON CONFLICT (machine_no, product_id) DO UPDATE SET
                floor_status = coalesce(EXCLUDED.floor_status, s.floor_status),
                fault_reason = CASE WHEN $10 THEN EXCLUDED.fault_reason WHEN $11 THEN NULL ELSE s.fault_reason END,
                fault_since = CASE WHEN $10 THEN coalesce(s.fault_since, EXCLUDED.fault_since) WHEN $11 THEN NULL ELSE s.fault_since END,
                failures_while_faulted = s.failures_while_faulted + CASE WHEN $12 AND s.fault_since IS NOT NULL THEN 1 ELSE 0 END,
                last_failure_at = coalesce(EXCLUDED.last_failure_at, s.last_failure_at),
                last_failure_reason = CASE WHEN $13 THEN EXCLUDED.last_failure_reason ELSE s.last_failure_reason END,
                last_failure_floor_status = CASE WHEN $13 THEN EXCLUDED.last_failure_floor_status ELSE s.last_failure_floor_status END,
                cleared_at = CASE WHEN $11 AND s.fault_since IS NOT NULL THEN $9 ELSE s.cleared_at END,
                cleared_by = CASE WHEN $11 AND s.fault_since IS NOT NULL THEN 'test_dispense' ELSE s.cleared_by END,
                updated_at = EXCLUDED.updated_at
            WHERE s.cleared_at IS NULL OR s.cleared_at <= $14
            RETURNING CASE
                WHEN $11 THEN CASE WHEN s.cleared_at = $9 THEN 2 ELSE 1 END
                ELSE CASE WHEN s.fault_since IS NOT NULL AND s.fault_since < $9 THEN 2 ELSE 1 END
            END
            """,
            machineNo, productId, floor, faultReason, faultSince, failedAt, failed ? report.Reason : null, failed ? report.FloorStatus : null, now,
            fault, clears, missedAlert, failed, report.CommandStartedAt);
        var result = await command.ExecuteScalarAsync(cancellationToken);
        var outcome = result is int found ? (SlotReportOutcome)found : SlotReportOutcome.Stale;
        if (outcome == SlotReportOutcome.Stale)
        {
            LogStale(logger, machineNo, productId);
            return outcome;
        }

        if (fault)
        {
            LogFault(logger, machineNo, productId, report.FloorStatus ?? -1, report.Source);
        }
        else if (clears && outcome == SlotReportOutcome.SlotWasInFault)
        {
            LogCleared(logger, machineNo, productId, "test_dispense");
        }

        if (missedAlert && outcome == SlotReportOutcome.SlotWasInFault)
        {
            // The slot was known to be broken and a customer's item was still sent to it: the alert ops should have seen.
            MerchantTelemetry.FailedOnFaultedSlot();
            LogMissedAlert(logger, machineNo, productId);
        }

        return outcome;
    }

    /// <summary>
    /// Records the platform's slot list (stock, capacity, labels, and any fault it reports as news) and forgets slots the
    /// machine no longer has. A fault the platform still shows after ops cleared that very report does not come back.
    /// </summary>
    public async Task RecordFloorsAsync(string machineNo, IReadOnlyList<MachineSlot> floors, int lowStockThreshold, CancellationToken cancellationToken)
    {
        // In product order, so two instances recording one machine lock its rows in the same order.
        var slots = floors.Where(f => f.ProductId > 0).GroupBy(f => f.ProductId).Select(g => g.First()).OrderBy(f => f.ProductId).ToList();
        if (slots.Count == 0)
        {
            return;
        }

        var now = clock.GetUtcNow();
        var ids = slots.Select(s => s.ProductId).ToArray();
        var labels = slots.Select(s => s.Name).ToArray();
        var cabinets = slots.Select(s => s.CabinetName).ToArray();
        var names = slots.Select(s => s.ProductName).ToArray();
        var stocks = slots.Select(s => s.CurrentInventory).ToArray();
        var capacities = slots.Select(s => s.Capacity).ToArray();
        var statuses = slots.Select(s => s.FloorStatus).ToArray();
        var reasons = slots.Select(s => FloorStatuses.IsFault(s.FloorStatus) ? Describe(s.FloorStatus, "reported by the platform") : null).ToArray();
        await db.Database.ExecuteSqlAsync($"""
            WITH gone AS (
                DELETE FROM slot_states WHERE machine_no = {machineNo} AND NOT (product_id = ANY({ids})))
            INSERT INTO slot_states AS s (machine_no, product_id, slot, cabinet, product_name, stock, capacity, stock_seen_at,
                low_stock_since, floor_status, fault_reason, fault_since, failures_while_faulted, updated_at)
            SELECT {machineNo}, f.product_id, f.slot, f.cabinet, f.name, f.stock, f.capacity, {now},
                CASE WHEN f.stock <= {lowStockThreshold} THEN {now} END,
                f.floor, f.reason, CASE WHEN f.reason IS NOT NULL THEN {now} END, 0, {now}
            FROM unnest({ids}, {labels}, {cabinets}, {names}, {stocks}, {capacities}, {statuses}, {reasons})
                AS f(product_id, slot, cabinet, name, stock, capacity, floor, reason)
            ON CONFLICT (machine_no, product_id) DO UPDATE SET
                slot = EXCLUDED.slot,
                cabinet = EXCLUDED.cabinet,
                product_name = EXCLUDED.product_name,
                stock = EXCLUDED.stock,
                capacity = EXCLUDED.capacity,
                stock_seen_at = EXCLUDED.stock_seen_at,
                low_stock_since = CASE WHEN EXCLUDED.low_stock_since IS NULL THEN NULL ELSE coalesce(s.low_stock_since, EXCLUDED.low_stock_since) END,
                fault_reason = CASE WHEN EXCLUDED.fault_reason IS NOT NULL AND s.fault_since IS NULL
                                     AND s.floor_status IS DISTINCT FROM EXCLUDED.floor_status THEN EXCLUDED.fault_reason ELSE s.fault_reason END,
                fault_since = CASE WHEN EXCLUDED.fault_reason IS NOT NULL AND s.fault_since IS NULL
                                    AND s.floor_status IS DISTINCT FROM EXCLUDED.floor_status THEN EXCLUDED.fault_since ELSE s.fault_since END,
                floor_status = coalesce(EXCLUDED.floor_status, s.floor_status),
                updated_at = EXCLUDED.updated_at
            """, cancellationToken);
    }

    /// <summary>Clears the faults of these products' slots (ops decided they work); returns the products that were in fault.</summary>
    public async Task<IReadOnlyList<long>> ClearAsync(string machineNo, IReadOnlyCollection<long> productIds, string by, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var ids = productIds.ToArray();
        var cleared = await db.Database.SqlQuery<long>($"""
            UPDATE slot_states SET fault_reason = NULL, fault_since = NULL, cleared_at = {now}, cleared_by = {by}, updated_at = {now}
            WHERE machine_no = {machineNo} AND product_id = ANY({ids}) AND fault_since IS NOT NULL
            RETURNING product_id AS "Value"
            """).ToListAsync(cancellationToken);
        foreach (var productId in cleared)
        {
            LogCleared(logger, machineNo, productId, by);
        }

        return cleared;
    }

    /// <summary>The machine's slots in fault, by product.</summary>
    public async Task<IReadOnlyDictionary<long, SlotState>> FaultsAsync(string machineNo, CancellationToken cancellationToken) =>
        await db.Set<SlotState>().AsNoTracking()
            .Where(s => s.MachineNo == machineNo && s.FaultSince != null)
            .ToDictionaryAsync(s => s.ProductId, cancellationToken);

    // Compiled once: on every checkout, EF's per-call LINQ work (expression building, funcletizer, cache lookup) cost a
    // seventh of the request's API CPU (decision 0026).
    private static readonly Func<MerchantDbContext, string, long[], CancellationToken, Task<SlotState?>> FirstFaulted =
        EF.CompileAsyncQuery((MerchantDbContext db, string machineNo, long[] ids, CancellationToken _) =>
            db.Set<SlotState>().AsNoTracking()
                .Where(s => s.MachineNo == machineNo && ids.Contains(s.ProductId) && s.FaultSince != null)
                .OrderBy(s => s.ProductId)
                .FirstOrDefault());

    /// <summary>Checkout's guard: selling from a slot in fault only buys a refund (409 <c>slot_fault</c>).</summary>
    public async Task RefuseFaultedAsync(string machineNo, IEnumerable<long> productIds, CancellationToken cancellationToken)
    {
        var faulted = await FirstFaulted(db, machineNo, productIds.Distinct().ToArray(), cancellationToken);
        if (faulted is not null)
        {
            throw new ApiProblem(409, "slot_fault", "A product's slot is out of order; it cannot be sold until it is repaired.",
                    $"Product {faulted.ProductId}{(faulted.Slot is null ? "" : $" (slot {faulted.Slot})")}: {UnavailableReason(faulted)}.")
                .With("product_id", faulted.ProductId)
                .With("slot", faulted.Slot);
        }
    }

    /// <summary>What a storefront shows for a product whose slot is in fault.</summary>
    /// <summary>
    /// What put the slot out of sale. Not simply its last report: a later item of the same product may have come out
    /// (floor_status 1) while the fault stays until ops clear it (decision 0019), and "slot normal" would tell no one why.
    /// </summary>
    public static string UnavailableReason(SlotState slot) =>
        new[] { slot.FloorStatus, slot.LastFailureFloorStatus }.FirstOrDefault(FloorStatuses.IsFault) is { } fault
            ? $"slot {FloorStatuses.Name(fault)}"
            : "slot in fault";

    private static string Describe(int? floorStatus, string? reason) =>
        string.IsNullOrWhiteSpace(reason)
            ? $"{FloorStatuses.Name(floorStatus)} (floor_status {floorStatus})"
            : $"{FloorStatuses.Name(floorStatus)} (floor_status {floorStatus}): {reason}";

    [LoggerMessage(1, LogLevel.Warning, "Machine {MachineNo} product {ProductId}: slot in fault (floor_status {FloorStatus}, from {Source})")]
    private static partial void LogFault(ILogger logger, string machineNo, long productId, int floorStatus, SlotReportSource source);

    [LoggerMessage(2, LogLevel.Information, "Machine {MachineNo} product {ProductId}: slot fault cleared by {ClearedBy}")]
    private static partial void LogCleared(ILogger logger, string machineNo, long productId, string clearedBy);

    [LoggerMessage(3, LogLevel.Warning, "Machine {MachineNo} product {ProductId}: a line failed on a slot already known to be in fault")]
    private static partial void LogMissedAlert(ILogger logger, string machineNo, long productId);

    [LoggerMessage(4, LogLevel.Information, "Machine {MachineNo} product {ProductId}: a slot report older than an ops clear was ignored")]
    private static partial void LogStale(ILogger logger, string machineNo, long productId);
}
