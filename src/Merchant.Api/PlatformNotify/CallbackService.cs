using Merchant.Api.Dispensing;
using Merchant.Api.Persistence;
using Merchant.Api.Telemetry;
using Merchant.Api.Trades;
using Microsoft.EntityFrameworkCore;
using Vending.Platform;

namespace Merchant.Api.PlatformNotify;

/// <summary>
/// The notify_url inbox: store the raw callback first, then apply it. Duplicates, strays and contradictions
/// change nothing (the trade's transitions decide); a callback that fails to apply is retried by the sweeper.
/// </summary>
public sealed partial class CallbackService(
    MerchantDbContext db, TradeStore trades, DispenseResults results, TimeProvider clock, ILogger<CallbackService> logger)
{
    public const string Mismatch = "mismatch";
    public const string UnknownTrade = "unknown_trade";

    public async Task<long> StoreAsync(string tradeId, string body, CancellationToken cancellationToken)
    {
        var callback = new PlatformCallback { TradeId = tradeId, ReceivedAt = clock.GetUtcNow(), Body = body };
        db.PlatformCallbacks.Add(callback);
        await db.SaveChangesAsync(cancellationToken);
        return callback.CallbackId;
    }

    /// <summary>Applies a stored callback; returns what became of it (applied, duplicate, conflict, mismatch…).</summary>
    public async Task<string> ApplyAsync(long callbackId, CancellationToken cancellationToken)
    {
        db.ChangeTracker.Clear();
        var callback = await db.PlatformCallbacks.AsNoTracking().SingleAsync(c => c.CallbackId == callbackId, cancellationToken);
        var outcome = await ApplyBodyAsync(callback, cancellationToken);
        await db.PlatformCallbacks.Where(c => c.CallbackId == callbackId)
            .ExecuteUpdateAsync(u => u.SetProperty(c => c.ProcessedAt, clock.GetUtcNow()).SetProperty(c => c.Outcome, outcome), cancellationToken);
        LogApplied(logger, callback.TradeId, callbackId, outcome);
        MerchantTelemetry.Callbacks.Add(1, MerchantTelemetry.Tag("outcome", outcome));
        return outcome;
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

    private async Task<string> ApplyBodyAsync(PlatformCallback callback, CancellationToken cancellationToken)
    {
        if (!DispenseCallback.TryParse(callback.Body, out var parsed))
        {
            return "unreadable";
        }

        var trade = await trades.FindAsync(callback.TradeId, cancellationToken);
        if (trade is null)
        {
            return UnknownTrade;
        }

        // The token names the trade; a callback about another order or record is not ours to apply.
        var line = trade.PlatformOrderId == parsed.OrderId ? trade.LineForRecord(parsed.RecordId) : null;
        var what = parsed.Delivered ? "dispensed" : $"failed: {parsed.FailReason}";
        if (line is null)
        {
            await trades.ChangeAsync(trade.TradeId, Actors.Platform, t => trades.Note(t.TradeId, "callback", Actors.Platform,
                $"callback for order {parsed.OrderId} record {parsed.RecordId} ({what})", "ignored: not this trade's"), cancellationToken);
            return Mismatch;
        }

        await trades.ChangeAsync(trade.TradeId, Actors.Platform, t => trades.Note(t.TradeId, "callback", Actors.Platform,
            $"callback: line {line.LineId} {what}", null, line.LineId), cancellationToken);
        if (line.DispatchedAt is { } dispatched && line.Status == Domain.LineStatus.Dispensing)
        {
            MerchantTelemetry.CallbackLag.Record((clock.GetUtcNow() - dispatched).TotalSeconds);
        }
        var failReason = string.IsNullOrWhiteSpace(parsed.FailReason) ? "dispense failed" : parsed.FailReason;
        return await results.ApplyAsync(trade.TradeId, line.LineId,
            parsed.Delivered ? DispenseOutcome.Dispensed : DispenseOutcome.Failed,
            parsed.Delivered ? null : failReason, Actors.Platform, cancellationToken);
    }

    [LoggerMessage(1, LogLevel.Information, "Trade {TradeId}: callback {CallbackId} {Outcome}")]
    private static partial void LogApplied(ILogger logger, string tradeId, long callbackId, string outcome);
}
