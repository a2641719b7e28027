using Merchant.Api.Hosting;
using Merchant.Api.Jobs;
using Merchant.Api.Persistence;
using Merchant.Api.Trades;
using Merchant.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Merchant.Api.Dispensing;

/// <summary>
/// Starts the next command on a machine when none is running (DESIGN §2 rule 4): a line, or an ops test dispense, which
/// obeys the same rule (decision 0019). A per-machine advisory lock serialises dispatchers across instances, and the
/// partial unique indexes on dispensing lines and dispensing test dispenses are the last word for each kind.
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
        await LockMachineAsync(machineNo, cancellationToken);
        var turn = await TurnAsync(machineNo, cancellationToken);
        if (turn == Busy)
        {
            return null;
        }

        if (turn > 0)
        {
            return await StartTestAsync(turn, machineNo, runner, cancellationToken);
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

    /// <summary>
    /// Queues an ops test dispense for the machine's next turn. With <paramref name="onlyIfIdle"/> it is refused (false)
    /// when the machine has a command running or a test waiting: decided under the same lock as every dispatch.
    /// </summary>
    public async Task<bool> QueueTestAsync(TestDispense test, bool onlyIfIdle, CancellationToken cancellationToken)
    {
        var db = trades.Db;
        db.ChangeTracker.Clear();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        if (onlyIfIdle)
        {
            await LockMachineAsync(test.MachineNo, cancellationToken);
            if (await TurnAsync(test.MachineNo, cancellationToken) != NothingQueued)
            {
                return false;
            }
        }

        db.Set<TestDispense>().Add(test);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    /// <summary>Machines with work waiting and nothing dispensing: the safety net after a crash between two steps.</summary>
    public async Task<IReadOnlyList<string>> IdleMachinesAsync(CancellationToken cancellationToken) =>
        await trades.Db.Database.SqlQuery<string>($"""
            SELECT DISTINCT w.machine_no AS "Value" FROM (
                SELECT l.machine_no FROM trade_lines l JOIN trades t ON t.trade_id = l.trade_id
                WHERE l.status = 'pending' AND t.status = 'dispensing'
                UNION SELECT machine_no FROM test_dispenses WHERE status = 'queued') w
            WHERE NOT EXISTS (SELECT 1 FROM trade_lines d WHERE d.machine_no = w.machine_no AND d.status = 'dispensing')
              AND NOT EXISTS (SELECT 1 FROM test_dispenses d WHERE d.machine_no = w.machine_no AND d.status = 'dispensing')
            """).ToListAsync(cancellationToken);

    private const long Busy = -1;
    private const long NothingQueued = 0;

    // Every start of a machine command (a line's or a test dispense's) happens under this lock, inside its transaction.
    private Task LockMachineAsync(string machineNo, CancellationToken cancellationToken) =>
        trades.Db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock(hashtext({"machine:" + machineNo}))", cancellationToken);

    /// <summary>
    /// Whose turn it is on the machine, in one round trip: <see cref="Busy"/> while a line or a test dispense is dispensing,
    /// else the first queued test dispense (ops stand at the machine waiting for it; one command), else <see cref="NothingQueued"/>.
    /// </summary>
    private async Task<long> TurnAsync(string machineNo, CancellationToken cancellationToken)
    {
        var turn = await trades.Db.Database.SqlQuery<long>($"""
            SELECT CASE
                WHEN EXISTS (SELECT 1 FROM trade_lines WHERE machine_no = {machineNo} AND status = 'dispensing')
                  OR EXISTS (SELECT 1 FROM test_dispenses WHERE machine_no = {machineNo} AND status = 'dispensing') THEN {Busy}
                ELSE coalesce((SELECT min(test_dispense_id) FROM test_dispenses WHERE machine_no = {machineNo} AND status = 'queued'), {NothingQueued})
            END AS "Value"
            """).ToListAsync(cancellationToken);
        return turn[0];
    }

    private async Task<Job> StartTestAsync(long testDispenseId, string machineNo, JobExecutor? runner, CancellationToken cancellationToken)
    {
        var db = trades.Db;
        var test = await db.Set<TestDispense>().SingleAsync(t => t.TestDispenseId == testDispenseId, cancellationToken);
        var now = clock.GetUtcNow();
        test.Status = TestDispense.Dispensing;
        test.StartedAt = now;
        var job = db.Enqueue(JobKinds.TestDispense, now, options.Value.SendDeadline,
            payload: testDispenseId.ToString(System.Globalization.CultureInfo.InvariantCulture), dedupeKey: $"test-dispense:{testDispenseId}");
        runner?.Claim(job, now);
        await db.SaveChangesAsync(cancellationToken);
        await db.Database.CommitTransactionAsync(cancellationToken);
        LogTestDispatched(logger, testDispenseId, test.Slot, machineNo);
        return job;
    }

    [LoggerMessage(1, LogLevel.Information, "Trade {TradeId} line {LineId} dispatched to machine {MachineNo}")]
    private static partial void LogDispatched(ILogger logger, string tradeId, int lineId, string machineNo);

    [LoggerMessage(2, LogLevel.Information, "Test dispense {TestDispenseId} of slot {Slot} dispatched to machine {MachineNo}")]
    private static partial void LogTestDispatched(ILogger logger, long testDispenseId, string slot, string machineNo);
}
