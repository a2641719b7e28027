using Merchant.Api.Persistence;
using Merchant.Api.Slots;
using Merchant.Api.Telemetry;
using Microsoft.EntityFrameworkCore;

namespace Merchant.Api.Dispensing;

/// <summary>How a test dispense ended. <paramref name="ReachedMachine"/> false: the platform refused it, so the slot was not tried.</summary>
public sealed record TestDispenseOutcome(string Status, int? FloorStatus, string? Reason, bool ReachedMachine = true, long? PlatformOrderId = null);

/// <summary>
/// Settles a test dispense, whoever learned its result (callback, delivery query, a deadline): the slot's health learns what
/// the command found (a success clears a fault), and the machine takes its next command.
/// </summary>
public sealed partial class TestDispenseResults(
    MerchantDbContext db, SlotHealth slots, Dispatcher dispatcher, TimeProvider clock, ILogger<TestDispenseResults> logger)
{
    public const string Applied = "applied";
    public const string Duplicate = "duplicate";
    public const string Mismatch = "mismatch";
    public const string UnknownTest = "unknown_test";

    /// <summary>Notes what the platform answered the command with, so later questions can name the delivery.</summary>
    public async Task RecordSentAsync(long testDispenseId, string? deliveryId, long? orderId, long? recordId, CancellationToken cancellationToken)
    {
        // A callback may have beaten this write; coalesce keeps whatever it recorded.
        await db.Database.ExecuteSqlAsync($"""
            UPDATE test_dispenses SET delivery_id = coalesce(delivery_id, {deliveryId}),
                platform_order_id = coalesce(platform_order_id, {orderId}), platform_record_id = coalesce(platform_record_id, {recordId})
            WHERE test_dispense_id = {testDispenseId}
            """, cancellationToken);
    }

    /// <summary>Returns applied, duplicate (already settled), mismatch (another order's result) or unknown_test.</summary>
    public async Task<string> ApplyAsync(long testDispenseId, TestDispenseOutcome outcome, CancellationToken cancellationToken)
    {
        db.ChangeTracker.Clear();
        var now = clock.GetUtcNow();
        TestDispense? settled;
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            // The status guard makes the first result win; repeats and late ones find nothing to update.
            settled = (await db.Set<TestDispense>().FromSql($"""
                    UPDATE test_dispenses SET status = {outcome.Status}, finished_at = {now}, floor_status = {outcome.FloorStatus},
                        fail_reason = {outcome.Reason}, platform_order_id = coalesce(platform_order_id, {outcome.PlatformOrderId})
                    WHERE test_dispense_id = {testDispenseId} AND status = 'dispensing'
                      AND (platform_order_id IS NULL OR {outcome.PlatformOrderId}::bigint IS NULL OR platform_order_id = {outcome.PlatformOrderId})
                    RETURNING *
                    """).AsNoTracking().ToListAsync(cancellationToken)).SingleOrDefault();
            if (settled is null)
            {
                var existing = await db.Set<TestDispense>().AsNoTracking().SingleOrDefaultAsync(t => t.TestDispenseId == testDispenseId, cancellationToken);
                return existing is null ? UnknownTest
                    : existing.Status == TestDispense.Dispensing ? Mismatch
                    : Duplicate;
            }

            if (outcome.ReachedMachine && outcome.Status is TestDispense.Succeeded or TestDispense.Failed)
            {
                var delivered = outcome.Status == TestDispense.Succeeded;
                var report = await slots.ReportAsync(settled.MachineNo, settled.ProductId,
                    new SlotReport(outcome.FloorStatus, delivered, outcome.Reason, settled.StartedAt ?? now, SlotReportSource.TestDispense),
                    cancellationToken);
                if (delivered && report == SlotReportOutcome.SlotWasInFault)
                {
                    settled.ClearedFault = true;
                    await db.Database.ExecuteSqlAsync(
                        $"UPDATE test_dispenses SET cleared_fault = true WHERE test_dispense_id = {testDispenseId}", cancellationToken);
                }
            }

            await transaction.CommitAsync(cancellationToken);
        }

        MerchantTelemetry.TestDispenses.Add(1, MerchantTelemetry.Tag("outcome", outcome.Status));
        LogSettled(logger, testDispenseId, settled.Slot, settled.MachineNo, outcome.Status, settled.ClearedFault);
        await dispatcher.DispatchAsync(settled.MachineNo, cancellationToken);
        return Applied;
    }

    [LoggerMessage(1, LogLevel.Information, "Test dispense {TestDispenseId} of slot {Slot} on machine {MachineNo}: {Status} (cleared a fault: {ClearedFault})")]
    private static partial void LogSettled(ILogger logger, long testDispenseId, string slot, string machineNo, string status, bool clearedFault);
}
