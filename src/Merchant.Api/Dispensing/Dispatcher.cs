using Merchant.Api.Hosting;
using Merchant.Api.Jobs;
using Merchant.Api.Persistence;
using Merchant.Api.Trades;
using Merchant.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Merchant.Api.Dispensing;

/// <summary>
/// Starts the next line on a machine when none is dispensing (DESIGN §2 rule 4). A per-machine advisory lock
/// serialises dispatchers across instances, and the partial unique index on dispensing lines is the last word.
/// </summary>
public sealed partial class Dispatcher(TradeStore trades, TimeProvider clock, IOptions<DispenseOptions> options, ILogger<Dispatcher> logger)
{
    /// <summary>
    /// Starts the machine's next line if it is free; returns the dispense job written for it, or null. With
    /// <paramref name="runner"/> the job is written already leased to this instance, for the caller to run at once.
    /// </summary>
    public async Task<Job?> DispatchAsync(string machineNo, CancellationToken cancellationToken, JobExecutor? runner = null)
    {
        var db = trades.Db;
        db.ChangeTracker.Clear();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock(hashtext({"machine:" + machineNo}))", cancellationToken);
        if (await db.TradeLines.AnyAsync(l => l.MachineNo == machineNo && l.Status == LineStatus.Dispensing, cancellationToken))
        {
            return null;
        }

        // First paid, first served; a trade's lines go in order.
        var next = await db.TradeLines.FromSql($"""
                SELECT l.* FROM trade_lines l JOIN trades t ON t.trade_id = l.trade_id
                WHERE l.machine_no = {machineNo} AND l.status = 'pending' AND t.status = 'dispensing'
                ORDER BY coalesce(t.paid_at, t.created_at), l.trade_id, l.line_id
                LIMIT 1
                """)
            .AsNoTracking()
            .FirstOrDefaultAsync(cancellationToken);
        if (next is null)
        {
            return null;
        }

        var trade = await trades.LockAsync(next.TradeId, cancellationToken)
            ?? throw new InvalidOperationException($"Trade {next.TradeId} vanished while dispatching.");
        var now = clock.GetUtcNow();
        trade.StartDispensing(next.LineId, now);
        var job = db.Enqueue(JobKinds.Dispense, now, options.Value.SendDeadline, trade.TradeId, next.LineId,
            dedupeKey: $"dispense:{trade.TradeId}:{next.LineId}");
        runner?.Claim(job, now);

        await trades.SaveAsync(trade, Actors.Worker, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        LogDispatched(logger, trade.TradeId, next.LineId, machineNo);
        return job;
    }

    /// <summary>Machines with work waiting and nothing dispensing: the safety net after a crash between two steps.</summary>
    public async Task<IReadOnlyList<string>> IdleMachinesAsync(CancellationToken cancellationToken) =>
        await trades.Db.Database.SqlQuery<string>($"""
            SELECT DISTINCT l.machine_no AS "Value" FROM trade_lines l JOIN trades t ON t.trade_id = l.trade_id
            WHERE l.status = 'pending' AND t.status = 'dispensing'
              AND NOT EXISTS (SELECT 1 FROM trade_lines d WHERE d.machine_no = l.machine_no AND d.status = 'dispensing')
            """).ToListAsync(cancellationToken);

    [LoggerMessage(1, LogLevel.Information, "Trade {TradeId} line {LineId} dispatched to machine {MachineNo}")]
    private static partial void LogDispatched(ILogger logger, string tradeId, int lineId, string machineNo);
}
