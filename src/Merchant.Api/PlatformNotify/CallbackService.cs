using Merchant.Api.Dispensing;
using Merchant.Api.Persistence;
using Merchant.Api.Slots;
using Merchant.Api.Telemetry;
using Merchant.Api.Trades;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Vending.Platform;

namespace Merchant.Api.PlatformNotify;

/// <summary>
/// The notify_url inbox: store the raw callback first, then apply it. Duplicates, strays and contradictions
/// change nothing (the trade's transitions decide); a callback that fails to apply is retried by the sweeper.
/// Its floor_status is the slot's health (DESIGN §2 rule 10); a test dispense's callback goes to its own row.
/// </summary>
public sealed partial class CallbackService(
    MerchantDbContext db, NpgsqlDataSource dataSource, TradeStore trades, DispenseResults results, SlotHealth slots, TestDispenseResults testDispenses,
    TimeProvider clock, ILogger<CallbackService> logger)
{
    public const string Mismatch = "mismatch";
    public const string UnknownTrade = "unknown_trade";
    public const string Duplicate = "duplicate";

    /// <summary>
    /// Takes a callback the notify URL received: stores it and applies it in one transaction on the locked trade, so
    /// the stored row and its effects commit together (one lock, one load, one batch, one commit). When applying fails,
    /// the callback is stored raw on its own and the sweeper applies it later (<see cref="ApplyAsync"/>).
    /// Returns what became of it (applied, duplicate, conflict, mismatch, unknown_trade, unreadable, stored).
    /// </summary>
    public async Task<string> ReceiveAsync(string tradeId, string body, CancellationToken cancellationToken)
    {
        var callback = new PlatformCallback { TradeId = tradeId, ReceivedAt = clock.GetUtcNow(), Body = body };
        if (TestDispense.FromSubject(tradeId) is { } testDispenseId)
        {
            db.PlatformCallbacks.Add(callback);
            await db.SaveChangesAsync(cancellationToken);
            return await ApplyTestAsync(callback.CallbackId, testDispenseId, body, cancellationToken);
        }

        if (!DispenseCallback.TryParse(body, out var parsed))
        {
            return await StoreAsync(callback, "unreadable", cancellationToken);
        }

        if (await TryStoreRepeatAsync(callback, parsed, cancellationToken))
        {
            Counted(tradeId, callback.CallbackId, Duplicate);
            return Duplicate;
        }

        var outcome = UnknownTrade;
        int? appliedLine = null;
        DispenseOutcome result = default;
        Domain.Trade? trade;
        try
        {
            trade = await trades.ChangeAsync(tradeId, Actors.Platform, async t =>
            {
                (outcome, appliedLine, result) = ApplyTo(t, parsed);
                await ReportSlotAsync(t, appliedLine, outcome, parsed, cancellationToken);
                callback.ProcessedAt = clock.GetUtcNow();
                callback.Outcome = outcome;
                db.PlatformCallbacks.Add(callback);
            }, cancellationToken);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            LogApplyFailed(logger, tradeId, e);
            db.ChangeTracker.Clear();
            return await StoreAsync(new PlatformCallback { TradeId = tradeId, ReceivedAt = callback.ReceivedAt, Body = body }, null, cancellationToken);
        }

        if (trade is null)
        {
            return await StoreAsync(callback, UnknownTrade, cancellationToken);
        }

        Counted(tradeId, callback.CallbackId, outcome);
        if (appliedLine is { } lineId)
        {
            await results.FollowUpAsync(trade, lineId, result, outcome, cancellationToken);
        }

        return outcome;
    }

    /// <summary>
    /// A callback repeating the result its line already has (the platform sends duplicates) changes nothing, and a
    /// settled line never changes again, so there is nothing to lock: one statement stores it as a duplicate when the
    /// line is settled that way. Anything else (first result, contradiction, stray) takes the locked path.
    /// </summary>
    private async Task<bool> TryStoreRepeatAsync(PlatformCallback callback, DispenseCallback parsed, CancellationToken cancellationToken)
    {
        string[] settled = parsed.Delivered ? ["dispensed"] : ["failed", "refunded"];
        // The same timeline entry the locked path writes, in the same statement.
        var what = parsed.Delivered ? "dispensed" : $"failed: {parsed.FailReason}";
        // A raw command, not EF's interpolated SqlQuery: on the busiest path of all, EF's per-call work cost more CPU than
        // the statement itself (decision 0026).
        await using var command = dataSource.CreateCommand("""
            WITH line AS (
                SELECT t.trade_id, l.line_id FROM trades t JOIN trade_lines l ON l.trade_id = t.trade_id
                WHERE t.trade_id = $1 AND t.kind = 'purchase' AND t.platform_order_id = $2
                  AND l.platform_record_id = $3 AND l.status = ANY($4)
                LIMIT 1),
            stored AS (
                INSERT INTO platform_callbacks (trade_id, received_at, body, processed_at, outcome)
                SELECT trade_id, $5, $6, $5, $7 FROM line
                RETURNING callback_id),
            noted AS (
                INSERT INTO trade_events (trade_id, at, kind, actor, line_id, summary)
                SELECT trade_id, $5, 'callback', $8, line_id, 'callback: line ' || line_id || ' ' || $9
                FROM line)
            SELECT callback_id FROM stored
            """);
        foreach (var value in new object[]
                 {
                     callback.TradeId, parsed.OrderId, parsed.RecordId, settled, callback.ReceivedAt, callback.Body, Duplicate,
                     Actors.Platform, what,
                 })
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }

        if (await command.ExecuteScalarAsync(cancellationToken) is not long id)
        {
            return false;
        }

        callback.CallbackId = id;
        return true;
    }

    private async Task<string> StoreAsync(PlatformCallback callback, string? outcome, CancellationToken cancellationToken)
    {
        callback.Outcome = outcome;
        callback.ProcessedAt = outcome is null ? null : clock.GetUtcNow();
        db.PlatformCallbacks.Add(callback);
        await db.SaveChangesAsync(cancellationToken);
        if (outcome is not null)
        {
            Counted(callback.TradeId, callback.CallbackId, outcome);
        }

        return outcome ?? "stored";
    }

    private void Counted(string tradeId, long callbackId, string outcome)
    {
        LogApplied(logger, tradeId, callbackId, outcome);
        MerchantTelemetry.Callbacks.Add(1, MerchantTelemetry.Tag("outcome", outcome));
    }

    /// <summary>Applies a callback stored earlier but not applied (the sweeper's path); returns what became of it.</summary>
    public async Task<string> ApplyAsync(long callbackId, CancellationToken cancellationToken)
    {
        db.ChangeTracker.Clear();
        var stored = await db.PlatformCallbacks.AsNoTracking().SingleAsync(c => c.CallbackId == callbackId, cancellationToken);
        if (TestDispense.FromSubject(stored.TradeId) is { } testDispenseId)
        {
            return await ApplyTestAsync(callbackId, testDispenseId, stored.Body, cancellationToken);
        }

        var outcome = "unreadable";
        int? appliedLine = null;
        DispenseOutcome result = default;
        Domain.Trade? trade = null;
        if (DispenseCallback.TryParse(stored.Body, out var parsed))
        {
            trade = await trades.ChangeAsync(stored.TradeId, Actors.Platform, async t =>
            {
                (outcome, appliedLine, result) = ApplyTo(t, parsed);
                await ReportSlotAsync(t, appliedLine, outcome, parsed, cancellationToken);
                MarkProcessed(callbackId, outcome);
            }, cancellationToken);
            outcome = trade is null ? UnknownTrade : outcome;
        }

        if (trade is null)
        {
            MarkProcessed(callbackId, outcome);
            await db.SaveChangesAsync(cancellationToken);
        }

        Counted(stored.TradeId, callbackId, outcome);
        if (trade is not null && appliedLine is { } lineId)
        {
            await results.FollowUpAsync(trade, lineId, result, outcome, cancellationToken);
        }

        return outcome;
    }

    private void MarkProcessed(long callbackId, string outcome)
    {
        var row = new PlatformCallback { CallbackId = callbackId, TradeId = "", Body = "" };
        db.PlatformCallbacks.Attach(row);
        row.ProcessedAt = clock.GetUtcNow();
        row.Outcome = outcome;
    }

    /// <summary>Callbacks stored but never applied (the process died between the two).</summary>
    public async Task<IReadOnlyList<long>> UnprocessedAsync(TimeSpan olderThan, CancellationToken cancellationToken)
    {
        var before = clock.GetUtcNow() - olderThan;
        return await db.PlatformCallbacks.AsNoTracking()
            .Where(c => c.ProcessedAt == null && c.ReceivedAt < before)
            .OrderBy(c => c.CallbackId)
            .Select(c => c.CallbackId)
            .Take(100)
            .ToListAsync(cancellationToken);
    }

    /// <summary>
    /// A test dispense's callback, already stored: settles its row (and its slot) and marks the callback processed.
    /// Its token names the test dispense, so a result for another order is a mismatch like a trade's.
    /// </summary>
    private async Task<string> ApplyTestAsync(long callbackId, long testDispenseId, string body, CancellationToken cancellationToken)
    {
        var outcome = "unreadable";
        if (DispenseCallback.TryParse(body, out var parsed))
        {
            var applied = await testDispenses.ApplyAsync(testDispenseId, new TestDispenseOutcome(
                parsed.Delivered ? TestDispense.Succeeded : TestDispense.Failed,
                parsed.Delivered && parsed.FloorStatus == 0 ? FloorStatuses.Normal : parsed.FloorStatus,
                parsed.Delivered ? null : FailReason(parsed),
                PlatformOrderId: parsed.OrderId), cancellationToken);
            outcome = applied == TestDispenseResults.UnknownTest ? UnknownTrade : applied;
        }

        db.ChangeTracker.Clear();
        MarkProcessed(callbackId, outcome);
        await db.SaveChangesAsync(cancellationToken);
        Counted(TestDispense.SubjectOf(testDispenseId), callbackId, outcome);
        return outcome;
    }

    /// <summary>The first result of a customer's line tells its slot's health, in the trade's transaction.</summary>
    private async Task ReportSlotAsync(Domain.Trade trade, int? lineId, string outcome, DispenseCallback parsed, CancellationToken cancellationToken)
    {
        if (lineId is not { } id || outcome != "applied")
        {
            return;
        }

        var line = trade.Line(id);
        await slots.ReportAsync(trade.MachineNo, line.ProductId, new SlotReport(
                parsed.FloorStatus, parsed.Delivered, parsed.Delivered ? null : FailReason(parsed), line.DispatchedAt ?? clock.GetUtcNow(), SlotReportSource.Line),
            cancellationToken);
    }

    private static string FailReason(DispenseCallback parsed) =>
        string.IsNullOrWhiteSpace(parsed.FailReason) ? "dispense failed" : parsed.FailReason;

    /// <summary>
    /// Applies a parsed callback to the trade locked by the caller: a timeline entry, then the line's result.
    /// Returns the outcome, and the line whose result was recorded (for the follow-up after the commit).
    /// </summary>
    private (string Outcome, int? Line, DispenseOutcome Result) ApplyTo(Domain.Trade trade, DispenseCallback parsed)
    {
        // The token names the trade; a callback about another order or record is not ours to apply.
        var line = trade.PlatformOrderId == parsed.OrderId ? trade.LineForRecord(parsed.RecordId) : null;
        var what = parsed.Delivered ? "dispensed" : $"failed: {parsed.FailReason}";
        if (line is null)
        {
            trades.Note(trade.TradeId, "callback", Actors.Platform,
                $"callback for order {parsed.OrderId} record {parsed.RecordId} ({what})", "ignored: not this trade's");
            return (Mismatch, null, default);
        }

        trades.Note(trade.TradeId, "callback", Actors.Platform, $"callback: line {line.LineId} {what}", null, line.LineId);
        if (line.DispatchedAt is { } dispatched && line.Status == Domain.LineStatus.Dispensing)
        {
            MerchantTelemetry.CallbackLag.Record((clock.GetUtcNow() - dispatched).TotalSeconds);
        }

        var outcome = parsed.Delivered ? DispenseOutcome.Dispensed : DispenseOutcome.Failed;
        var result = results.Apply(trade, line.LineId, outcome, parsed.Delivered ? null : FailReason(parsed), Actors.Platform);
        return (result, line.LineId, outcome);
    }

    [LoggerMessage(1, LogLevel.Information, "Trade {TradeId}: callback {CallbackId} {Outcome}")]
    private static partial void LogApplied(ILogger logger, string tradeId, long callbackId, string outcome);

    [LoggerMessage(2, LogLevel.Warning, "Trade {TradeId}: a callback could not be applied now; stored for the sweeper")]
    private static partial void LogApplyFailed(ILogger logger, string tradeId, Exception exception);
}
