using System.Diagnostics;
using Merchant.Api.Persistence;
using Merchant.Domain;
using Microsoft.EntityFrameworkCore;

namespace Merchant.Api.Trades;

/// <summary>
/// Loads and saves trades. Every change runs in a transaction holding the trade's row lock, so concurrent
/// callbacks, jobs and requests for one trade take turns; PostgreSQL is the referee, not C#.
/// </summary>
public sealed class TradeStore(MerchantDbContext db, TimeProvider clock)
{
    public MerchantDbContext Db => db;

    public Task<Trade?> FindAsync(string tradeId, CancellationToken cancellationToken) =>
        MerchantDbContext.TradeWithLinesReadOnly(db, tradeId, cancellationToken);

    /// <summary>Runs <paramref name="change"/> on the locked trade and commits it with its timeline and jobs.</summary>
    public async Task<Trade?> ChangeAsync(string tradeId, string actor, Func<Trade, Task> change, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var trade = await LockAsync(tradeId, cancellationToken);
        if (trade is null)
        {
            return null;
        }

        await change(trade);
        await SaveAsync(trade, actor, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return trade;
    }

    public Task<Trade?> ChangeAsync(string tradeId, string actor, Action<Trade> change, CancellationToken cancellationToken) =>
        ChangeAsync(tradeId, actor, t =>
        {
            change(t);
            return Task.CompletedTask;
        }, cancellationToken);

    /// <summary>
    /// Locks the trade row, then reads the trade and its lines. Two statements on purpose: under READ COMMITTED a
    /// statement that waited for the lock would still read the lines as they were before the other writer committed.
    /// Both skip EF's per-call query work: the lock is a raw command, the load a compiled query (decision 0026).
    /// NO KEY UPDATE serialises every writer of the trade just the same, without making inserts of its timeline
    /// entries and jobs by others wait for their foreign-key check (FOR UPDATE blocks FOR KEY SHARE).
    /// </summary>
    public async Task<Trade?> LockAsync(string tradeId, CancellationToken cancellationToken)
    {
        await using (var command = db.Command("SELECT 1 FROM trades WHERE trade_id = $1 FOR NO KEY UPDATE", tradeId))
        {
            if (await command.ExecuteScalarAsync(cancellationToken) is null)
            {
                return null;
            }
        }

        db.ChangeTracker.Clear();
        return await MerchantDbContext.TradeWithLines(db, tradeId, cancellationToken)
            ?? throw new InvalidOperationException($"Trade {tradeId} was locked but not found.");
    }

    /// <summary>Writes the trade's status changes to its timeline and saves everything tracked.</summary>
    public async Task SaveAsync(Trade trade, string actor, CancellationToken cancellationToken)
    {
        db.TradeEvents.AddRange(TakeTransitions(trade, actor));
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>The trade's status changes since the last call, as timeline entries.</summary>
    public static IEnumerable<TradeEvent> TakeTransitions(Trade trade, string actor) =>
        trade.TakeChanges().Select(change => new TradeEvent
        {
            TradeId = trade.TradeId,
            At = change.At,
            Kind = "transition",
            Actor = actor,
            LineId = change.LineId,
            Summary = $"{(change.LineId is { } line ? $"line {line}" : "trade")}: {change.From} → {change.To} ({change.Trigger})",
            Outcome = change.Reason,
        }).ToList();

    /// <summary>Adds an entry to the trade's timeline, saved with the next save.</summary>
    public void Note(string tradeId, string kind, string actor, string summary, string? outcome = null, int? lineId = null,
        long? startedTimestamp = null) =>
        db.TradeEvents.Add(NewNote(tradeId, kind, actor, summary, outcome, lineId, startedTimestamp));

    /// <summary>A timeline entry for the caller to save itself.</summary>
    public TradeEvent NewNote(string tradeId, string kind, string actor, string summary, string? outcome = null, int? lineId = null,
        long? startedTimestamp = null) =>
        new()
        {
            TradeId = tradeId,
            At = clock.GetUtcNow(),
            Kind = kind,
            Actor = actor,
            LineId = lineId,
            Summary = summary,
            Outcome = outcome,
            DurationMs = startedTimestamp is { } started ? (int)Stopwatch.GetElapsedTime(started).TotalMilliseconds : null,
        };
}

public static class Actors
{
    public const string Storefront = "storefront";
    public const string Ops = "ops";
    public const string Worker = "worker";
    public const string Platform = "platform";
    public const string Provider = "provider";
}
