using Merchant.Api.Hosting;
using Merchant.Api.Jobs;
using Merchant.Api.Persistence;
using Merchant.Api.Trades;
using Merchant.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Merchant.Api.Dispensing;

/// <summary>
/// Starts the next command on a machine when none is running (DESIGN §2 rule 4): a line, or an ops test dispense, which
/// obeys the same rule (decision 0019). A per-machine advisory lock serialises dispatchers across instances, and the
/// partial unique indexes on dispensing lines and dispensing test dispenses are the last word for each kind.
/// </summary>
public sealed partial class Dispatcher(
    TradeStore trades, NpgsqlDataSource dataSource, TimeProvider clock, IOptions<DispenseOptions> options, ILogger<Dispatcher> logger)
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
        var (turn, next) = await LockAndLookAsync(machineNo, cancellationToken);
        if (turn == Busy)
        {
            return null;
        }

        if (turn > 0)
        {
            return await StartTestAsync(turn, machineNo, runner, cancellationToken);
        }

        if (next is null)
        {
            return null;
        }

        var (tradeId, lineId) = next.Value;
        var trade = await trades.LockAsync(tradeId, cancellationToken)
            ?? throw new InvalidOperationException($"Trade {tradeId} vanished while dispatching.");
        var now = clock.GetUtcNow();
        trade.StartDispensing(lineId, now);
        var job = db.Enqueue(JobKinds.Dispense, now, options.Value.SendDeadline, trade.TradeId, lineId,
            dedupeKey: $"dispense:{trade.TradeId}:{lineId}");
        runner?.Claim(job, now);

        await trades.SaveAsync(trade, Actors.Worker, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        LogDispatched(logger, trade.TradeId, lineId, machineNo);
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
            if ((await LockAndLookAsync(test.MachineNo, cancellationToken)).Turn != NothingQueued)
            {
                return false;
            }
        }

        db.Set<TestDispense>().Add(test);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    /// <summary>
    /// Whether a line of a paid trade or a queued test dispense waits for the machine; one statement, no lock. Asked after
    /// a commit that ended the machine's command: whatever was committed before this statement is seen and dispatched by
    /// the caller, and whatever commits after it dispatches itself (ConfirmPaid and a queued test dispense ask the
    /// dispatcher after their commit, and by then this machine's command is no longer dispensing).
    /// </summary>
    public async Task<bool> AnythingWaitingAsync(string machineNo, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT EXISTS (SELECT 1 FROM trade_lines l JOIN trades t ON t.trade_id = l.trade_id
                           WHERE l.machine_no = $1 AND l.status = 'pending' AND t.status = 'dispensing')
                OR EXISTS (SELECT 1 FROM test_dispenses WHERE machine_no = $1 AND status = 'queued')
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = machineNo });
        return await command.ExecuteScalarAsync(cancellationToken) is true;
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

    /// <summary>
    /// The dispatch's first round trip: takes the machine's lock (every start of a machine command, a line's or a test
    /// dispense's, happens under it, inside its transaction), then reads whose turn it is and the machine's next
    /// pending line — three statements in one batch. Under READ COMMITTED each statement of a batch reads a snapshot of
    /// its own, taken when it starts, so the two reads see everything committed before the lock was granted. Raw
    /// commands, not EF's interpolated queries (their per-call work was most of a dispatch's CPU; decision 0026).
    /// The turn is <see cref="Busy"/> while a line or a test dispense is dispensing, else the first queued test dispense
    /// (ops stand at the machine waiting for it; one command), else <see cref="NothingQueued"/>.
    /// </summary>
    private async Task<(long Turn, (string TradeId, int LineId)? Next)> LockAndLookAsync(string machineNo, CancellationToken cancellationToken)
    {
        var transaction = (NpgsqlTransaction)trades.Db.Database.CurrentTransaction!.GetDbTransaction();
        await using var batch = new NpgsqlBatch(transaction.Connection, transaction)
        {
            BatchCommands =
            {
                Parameters(new NpgsqlBatchCommand("SELECT pg_advisory_xact_lock(hashtext($1))"), "machine:" + machineNo),
                Parameters(new NpgsqlBatchCommand($"""
                    SELECT CASE
                        WHEN EXISTS (SELECT 1 FROM trade_lines WHERE machine_no = $1 AND status = 'dispensing')
                          OR EXISTS (SELECT 1 FROM test_dispenses WHERE machine_no = $1 AND status = 'dispensing') THEN {Busy}
                        ELSE coalesce((SELECT min(test_dispense_id) FROM test_dispenses WHERE machine_no = $1 AND status = 'queued'), {NothingQueued})
                    END
                    """), machineNo),
                // First paid, first served; a trade's lines go in order.
                Parameters(new NpgsqlBatchCommand("""
                    SELECT l.trade_id, l.line_id FROM trade_lines l JOIN trades t ON t.trade_id = l.trade_id
                    WHERE l.machine_no = $1 AND l.status = 'pending' AND t.status = 'dispensing'
                    ORDER BY coalesce(t.paid_at, t.created_at), l.trade_id, l.line_id
                    LIMIT 1
                    """), machineNo),
            },
        };
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        await reader.NextResultAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var turn = reader.GetInt64(0);
        await reader.NextResultAsync(cancellationToken);
        return (turn, await reader.ReadAsync(cancellationToken) ? (reader.GetString(0), reader.GetInt32(1)) : null);
    }

    private static NpgsqlBatchCommand Parameters(NpgsqlBatchCommand command, string value)
    {
        command.Parameters.Add(new NpgsqlParameter { Value = value });
        return command;
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
